"""A click on the floating button hands the visitor over to WhatsApp with the server's reference."""

from browsing import NUMBER, PHONE, handoff_in_new_tab, open_widget, reference_in

import correlation_id


def test_desktop_click_opens_whatsapp_with_the_issued_reference(widget, site, new_context):
    url = site() + "/plain.html"
    page = new_context().new_page()
    first = handoff_in_new_tab(page, open_widget(page, url).click)
    assert first.startswith(f"https://wa.me/{NUMBER}?text=")
    assert page.context.pages[-1].evaluate("window.opener") is None  # cut by the widget
    reference = reference_in(first)
    assert correlation_id.is_valid(reference)
    row = widget.row(reference)
    assert row["click_url"] == url
    assert row["device_id"] == page.evaluate("localStorage.wah_d")
    assert "HeadlessChrome" in row["user_agent"]

    page.reload()
    assert reference_in(handoff_in_new_tab(page, open_widget(page, url).click)) == reference

    stranger = new_context().new_page()
    other = reference_in(handoff_in_new_tab(stranger, open_widget(stranger, url).click))
    assert correlation_id.is_valid(other) and other != reference
    assert widget.row(other)["device_id"] != row["device_id"]


def test_phone_click_opens_whatsapp_in_the_same_tab(widget, site, new_context):
    page = new_context(**PHONE).new_page()
    open_widget(page, site() + "/plain.html").tap()
    page.wait_for_url("https://wa.me/**")
    assert len(page.context.pages) == 1
    assert widget.row(reference_in(page.url))["user_agent"] == PHONE["user_agent"]


def test_calls_queued_before_the_script_loads_are_run(widget, site, page):
    # stub.html queues waHandoff('open') before the script arrives; outside a click the
    # popup blocker refuses a new tab, so the widget goes on in the same tab.
    page.goto(site() + "/stub.html")
    page.wait_for_url("https://wa.me/**")
    assert widget.row(reference_in(page.url))["click_url"].endswith("/stub.html")


def test_a_blocking_script_in_head_waits_for_the_body(widget, site, page):
    url = site() + "/head_sync.html"
    reference = reference_in(handoff_in_new_tab(page, open_widget(page, url).click))
    assert widget.row(reference)["click_url"] == url
    assert page.locator("html > wa-handoff").count() == 1
