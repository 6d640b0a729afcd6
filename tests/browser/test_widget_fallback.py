"""A slow network or server delays the handoff but keeps its reference; a dead one leaves no trap.

The widget navigates straight to /c/, so there is no timer to race: on DevTools' 3G profile or
behind a slow server the visitor still arrives with a reference. When the widget server is down
the script does not load: no button is shown, and the site's own WhatsApp links work as links.
"""

import time

from browsing import NUMBER, PHONE, handoff_in_new_tab, open_widget, reference_in, serve_wsgi

# DevTools' "3G" preset: 562.5 ms round trip, 1.44 Mbit/s down, 675 kbit/s up.
THREE_G = {
    "offline": False,
    "latency": 562.5,
    "downloadThroughput": 180000,
    "uploadThroughput": 84375,
}
DELAY = 2.0  # seconds the slow server holds each click


def slow(app):
    """Wrap a WSGI app so that every click waits before it is answered."""

    def delayed(environ, start_response):
        if environ["PATH_INFO"].startswith("/c/"):
            time.sleep(DELAY)
        return app(environ, start_response)

    return delayed


def test_the_3g_profile_still_arrives_with_the_reference(widget, site, new_context):
    page = new_context(**PHONE).new_page()
    page.context.new_cdp_session(page).send("Network.emulateNetworkConditions", THREE_G)
    url = site() + "/plain.html?utm_source=mobile"
    open_widget(page, url).tap()
    page.wait_for_url("https://wa.me/**")
    row = widget.row(reference_in(page.url))
    assert row["parsed_params"] == {"utm_source": "mobile"}


def test_a_slow_server_is_waited_for_not_raced(widget, site, page):
    held = serve_wsgi(slow(widget.app))
    try:
        url = site(widget_url=f"http://127.0.0.1:{held.server_port}") + "/plain.html"
        started = time.monotonic()
        whatsapp = handoff_in_new_tab(page, open_widget(page, url).click)
        assert time.monotonic() - started >= DELAY
        assert widget.row(reference_in(whatsapp))["click_url"] == url
    finally:
        held.shutdown()
        held.server_close()


def test_a_server_down_shows_no_button_and_the_sites_own_links_open_whatsapp(widget, site, page):
    doomed = serve_wsgi(widget.app)
    widget_url = f"http://127.0.0.1:{doomed.server_port}"
    doomed.shutdown()
    doomed.server_close()

    page.goto(site(widget_url=widget_url) + "/plain.html")
    page.wait_for_load_state("load")
    assert page.locator("wa-handoff").count() == 0

    page.goto(site(widget_url=widget_url) + "/selector.html")
    page.wait_for_load_state("load")
    page.get_by_role("link", name="Ask about the Cargo bike").click()
    page.wait_for_url("https://wa.me/**")
    assert page.url == "https://wa.me/15550009999?text=Hello"


def test_a_page_that_broke_url_building_still_gets_a_reference(widget, site, page):
    page.add_init_script("window.URLSearchParams = undefined")
    url = site() + "/plain.html?utm_source=x"
    whatsapp = handoff_in_new_tab(page, open_widget(page, url).click)
    assert whatsapp.startswith(f"https://wa.me/{NUMBER}?text=")
    assert reference_in(whatsapp)
