"""The floating button is a real, named, focusable button that keyboards and fingers can use."""

import pytest
from browsing import PHONE, handoff_in_new_tab, open_widget, reference_in

FOCUSED = (
    "b => b.getRootNode().activeElement === b && document.activeElement === b.getRootNode().host"
)
OUTLINE = "b => { const s = getComputedStyle(b); return [s.outlineStyle, s.outlineWidth] }"
MOTION = "b => { const s = getComputedStyle(b); return [s.transitionDuration, s.transform] }"


@pytest.mark.parametrize("key", ["Enter", " "])
def test_keyboard_reaches_and_activates_the_button(widget, site, page, key):
    button = open_widget(page, site() + "/plain.html")
    page.locator("#next").focus()
    page.keyboard.press("Tab")
    assert button.evaluate(FOCUSED)
    assert button.evaluate(OUTLINE) == ["solid", "3px"]

    reference = reference_in(handoff_in_new_tab(page, lambda: page.keyboard.press(key)))
    assert widget.row(reference)["click_url"].endswith("/plain.html")


def test_no_focus_ring_before_focus(site, page):
    button = open_widget(page, site() + "/plain.html")
    assert button.evaluate(OUTLINE)[0] == "none"


@pytest.mark.parametrize("device", [{}, PHONE], ids=["desktop", "phone"])
def test_touch_target_is_at_least_44_pixels_and_in_view(site, new_context, device):
    page = new_context(**device).new_page()
    box = open_widget(page, site() + "/plain.html").bounding_box()
    viewport = page.viewport_size
    assert box["width"] >= 44 and box["height"] >= 44
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]


def test_the_button_never_moves_whatever_the_motion_preference(site, page):
    button = open_widget(page, site() + "/plain.html")
    for motion in ("no-preference", "reduce"):
        page.emulate_media(reduced_motion=motion)
        button.hover()
        assert button.evaluate(MOTION) == ["0s", "none"]


def test_label_position_and_colours_come_from_data_attributes(site, page):
    page.goto(site() + "/csp.html")
    button = page.get_by_role("button", name="Message us")
    box = button.bounding_box()
    assert box["x"] == 20
    assert button.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(91, 42, 134)"
