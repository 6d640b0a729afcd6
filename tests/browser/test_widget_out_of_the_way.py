"""The button stays out of the site's way: below its layers, away from its bars, off when asked."""

from browsing import LABEL, PHONE, handoff_in_new_tab, open_widget, reference_in

IN_APP = {
    "instagram": "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 Instagram 339.0.3.12.91 (iPhone15,2; iOS 17_5; en_US)",
    "facebook": "Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A; wv) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Version/4.0 Chrome/126.0 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/470.0]",
}


def host_style(button, name):
    return button.evaluate(f"b => getComputedStyle(b.getRootNode().host).{name}")


def test_the_default_layer_is_below_consent_banners_and_modals(site, page):
    button = open_widget(page, site() + "/plain.html")
    assert host_style(button, "zIndex") == "999"  # Bootstrap's modals are 1050, banners higher


def test_offsets_side_and_layer_come_from_data_attributes(site, page):
    button = open_widget(page, site() + "/options.html")
    box, viewport = button.bounding_box(), page.viewport_size
    assert box["x"] == 12
    assert box["y"] + box["height"] == viewport["height"] - 80  # above the site's 64 px bar
    assert host_style(button, "zIndex") == "5000"


def test_hide_and_show(site, page):
    button = open_widget(page, site() + "/plain.html")
    page.evaluate("waHandoff('hide')")
    assert not button.is_visible()
    page.evaluate("waHandoff('show')")
    assert button.is_visible()


def test_hidden_while_a_modal_dialog_is_open(site, page):
    button = open_widget(page, site() + "/modal.html")
    page.locator("#open").click()
    page.wait_for_function("!document.querySelector('wa-handoff').checkVisibility()")
    assert not button.is_visible()
    page.locator("#close").click()
    button.wait_for(state="visible")
    # A dialog that gets aria-modal when it opens, as Bootstrap's does.
    page.evaluate("document.getElementById('dialog').removeAttribute('aria-modal')")
    page.locator("#open").click()
    assert button.is_visible()
    page.evaluate("document.getElementById('dialog').setAttribute('aria-modal', 'true')")
    button.wait_for(state="hidden")


def test_a_320_pixel_phone_gets_the_icon_alone_with_its_name(site, new_context):
    page = new_context(**{**PHONE, "viewport": {"width": 320, "height": 640}}).new_page()
    button = open_widget(page, site() + "/plain.html")
    box = button.bounding_box()
    assert 44 <= box["width"] <= 56 and box["height"] >= 44
    assert button.evaluate("b => b.querySelector('span').getBoundingClientRect().width") == 0
    assert page.get_by_role("button", name=LABEL).count() == 1


def test_not_printed(site, page):
    open_widget(page, site() + "/plain.html")
    page.emulate_media(media="print")
    assert page.locator("wa-handoff").evaluate("h => getComputedStyle(h).display") == "none"


def test_the_icon_is_hidden_from_assistive_technology_and_forced_colours_show_a_boundary(
    site, page
):
    button = open_widget(page, site() + "/plain.html")
    assert button.locator("svg").get_attribute("aria-hidden") == "true"
    assert button.evaluate("b => b.textContent") == LABEL
    border = "b => { const s = getComputedStyle(b); return [s.borderTopWidth, s.borderTopColor] }"
    assert button.evaluate(border) == ["2px", "rgba(0, 0, 0, 0)"]
    page.emulate_media(forced_colors="active")
    width, color = button.evaluate(border)
    assert width == "2px" and color != "rgba(0, 0, 0, 0)"


def test_a_double_click_opens_one_whatsapp_tab(widget, site, site_key, page):
    button = open_widget(page, site() + "/plain.html")
    with page.context.expect_page() as opened:
        button.dblclick()
    opened.value.wait_for_url("https://wa.me/**")
    page.wait_for_timeout(500)
    assert len(page.context.pages) == 2
    assert widget.count(site_key) == 1


def test_the_pages_own_wahandoff_is_left_alone_and_the_button_works(widget, site, page):
    warnings = []
    page.on("console", lambda m: m.type == "warning" and warnings.append(m.text))
    button = open_widget(page, site() + "/own_api.html")
    assert page.evaluate("window.waHandoff") == {"mine": True}
    assert warnings == ["wa-handoff: waHandoff is taken"]
    assert reference_in(handoff_in_new_tab(page, button.click))


def test_in_app_browsers_hand_over_in_the_same_tab(widget, site, new_context):
    for user_agent in IN_APP.values():
        page = new_context(**{**PHONE, "user_agent": user_agent}).new_page()
        open_widget(page, site() + "/plain.html").tap()
        page.wait_for_url("https://wa.me/**")
        assert len(page.context.pages) == 1
        assert widget.row(reference_in(page.url))["user_agent"] == user_agent


def test_the_widget_origin_is_preconnected_at_load(widget, site, page):
    open_widget(page, site() + "/plain.html")
    hrefs = page.evaluate("[...document.querySelectorAll('link[rel=preconnect]')].map(l => l.href)")
    assert hrefs == [f"{widget.url}/widget.js"]
