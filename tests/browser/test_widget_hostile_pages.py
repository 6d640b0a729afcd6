"""Pages built like real sites, hostile to a widget by accident, keep one working button.

Each page ends with one visible button that nothing covers, the site's own controls still work,
and a click reaches wa.me with a reference and the landing's campaign. Nothing is intercepted.
"""

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from browsing import LABEL, handoff_in_new_tab, reference_in, serve_wsgi

HOSTILE = Path(__file__).parent / "pages" / "hostile"
CAMPAIGN = {"utm_source": "hostile", "utm_campaign": "spring"}
LANDING = "utm_source=hostile&utm_campaign=spring"
ON_TOP = """b => { const r = b.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  return document.elementFromPoint(x, y) === b.getRootNode().host
    && b.contains(b.getRootNode().elementFromPoint(x, y)) }"""


def the_one_button(page):
    """Return the widget's button after checking it is the only one, in view and on top."""
    button = page.get_by_role("button", name=LABEL)
    button.wait_for()
    assert page.locator("wa-handoff").count() == 1
    assert button.count() == 1
    box, viewport = button.bounding_box(), page.viewport_size
    assert box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
    assert box["y"] >= 0 and box["y"] + box["height"] <= viewport["height"]
    assert button.evaluate(ON_TOP)
    return button


def own_control_works(page):
    page.locator("#own").click()
    assert page.locator("#own").text_content() == "Clicked"


def hands_over_with_the_campaign(widget, page, button) -> dict:
    whatsapp = handoff_in_new_tab(page, button.click)
    assert whatsapp.startswith("https://wa.me/")
    row = widget.row(reference_in(whatsapp))
    assert row["parsed_params"] == CAMPAIGN
    return row


@pytest.fixture
def hostile(site):
    return site(HOSTILE)


def test_the_consent_banner_stays_usable_above_the_button(widget, hostile, page):
    page.goto(f"{hostile}/consent_banner.html?{LANDING}")
    page.get_by_role("button", name=LABEL).wait_for()
    # Playwright clicks only what is really on top at that point: the banner's own buttons.
    with no_new_page(page):
        page.get_by_role("button", name="Accept all").click()
    assert page.evaluate("window.consentAnswer") == "accept"
    button = the_one_button(page)
    own_control_works(page)
    hands_over_with_the_campaign(widget, page, button)


class no_new_page:
    """Fail if a tab opens while the block runs (pressing the banner must not open WhatsApp)."""

    def __init__(self, page):
        self.page, self.before = page, len(page.context.pages)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.page.wait_for_timeout(300)
        assert len(self.page.context.pages) == self.before
        assert not self.page.url.startswith("https://wa.me/")


def test_a_fetch_wrapper_adding_tracing_headers_changes_nothing(widget, hostile, page):
    page.goto(f"{hostile}/fetch_wrapper.html?{LANDING}")
    button = the_one_button(page)
    own_control_works(page)
    hands_over_with_the_campaign(widget, page, button)


def test_the_pages_own_wrapped_fetch_of_the_click_link_passes_its_preflight(
    widget, site_key, hostile, page
):
    methods = []

    def recording(environ, start_response):
        methods.append(environ["REQUEST_METHOD"])
        return widget.app(environ, start_response)

    server = serve_wsgi(recording)
    try:
        page.goto(f"{hostile}/fetch_wrapper.html?{LANDING}")
        answer = page.evaluate(
            "url => fetch(url, {headers: {Accept: 'application/json'}}).then(r => r.json())",
            f"http://127.0.0.1:{server.server_port}/c/{site_key}?url={hostile}/fetch_wrapper.html",
        )
    finally:
        server.shutdown()
        server.server_close()
    assert answer["correlation_id"] and answer["whatsapp_url"].startswith("https://wa.me/")
    assert methods == ["OPTIONS", "GET"]  # the browser's own preflight, then the request


@pytest.mark.parametrize("rule", ["transform", "filter", "contain"])
def test_a_body_that_contains_fixed_elements_leaves_the_button_in_view(widget, hostile, page, rule):
    page.goto(f"{hostile}/body_rule.html?rule={rule}&{LANDING}")
    assert page.evaluate(f"getComputedStyle(document.body).{rule}") not in ("none", "")
    button = the_one_button(page)
    own_control_works(page)
    hands_over_with_the_campaign(widget, page, button)


def test_a_body_swap_keeps_the_button(widget, hostile, page):
    page.goto(f"{hostile}/body_swap.html?{LANDING}")
    the_one_button(page)
    page.locator("#next").click()
    page.wait_for_function("window.swapped")
    assert page.url.endswith("/second.html")
    button = the_one_button(page)
    own_control_works(page)
    row = hands_over_with_the_campaign(widget, page, button)
    assert row["click_url"] == f"{hostile}/second.html?{LANDING}"


@pytest.mark.parametrize("name", ["div_empty", "all_unset"])
def test_resets_of_every_element_leave_the_button_styled(widget, hostile, page, name):
    page.goto(f"{hostile}/{name}.html?{LANDING}")
    button = the_one_button(page)
    assert button.evaluate("b => getComputedStyle(b.getRootNode().host).position") == "fixed"
    own_control_works(page)
    hands_over_with_the_campaign(widget, page, button)


def test_broken_json_and_prototypes_do_not_touch_the_click(widget, hostile, page):
    page.goto(f"{hostile}/broken_globals.html?{LANDING}")
    assert page.evaluate("(() => { try { JSON.stringify({}) } catch { return 'throws' } })()") == (
        "throws"
    )
    button = the_one_button(page)
    own_control_works(page)
    row = hands_over_with_the_campaign(widget, page, button)
    assert row["click_url"] == f"{hostile}/broken_globals.html?{LANDING}"


def test_the_tag_loaded_three_times_gives_one_button_and_one_tab(widget, site_key, hostile, page):
    page.goto(f"{hostile}/tag_twice.html?{LANDING}")
    page.wait_for_load_state("networkidle")
    assert page.locator("script[src$='/widget.js']").count() == 3
    button = the_one_button(page)
    own_control_works(page)
    hands_over_with_the_campaign(widget, page, button)
    assert len(page.context.pages) == 2
    assert widget.count(site_key) == 1


def test_a_campaign_stripped_by_replace_state_is_read_from_the_landing(widget, hostile, page):
    page.goto(f"{hostile}/replace_state.html?{LANDING}")
    assert page.url == f"{hostile}/replace_state.html"
    button = the_one_button(page)
    own_control_works(page)
    row = hands_over_with_the_campaign(widget, page, button)
    assert row["click_url"] == f"{hostile}/replace_state.html?{LANDING}"


def test_a_landing_url_of_2400_characters_keeps_its_campaign(widget, site, page):
    base = f"{site()}/plain.html"
    url = f"{base}?{LANDING}&cart=" + "x" * 2400
    assert len(url) > 2400
    page.goto(url)
    button = the_one_button(page)
    row = hands_over_with_the_campaign(widget, page, button)
    assert row["click_url"] == f"{base}?{LANDING}"


def test_only_the_campaign_of_a_landing_with_secrets_is_sent_and_stored(widget, site, page):
    base = f"{site()}/plain.html"
    sent = []
    page.context.on("request", lambda r: "/c/" in r.url and sent.append(r.url))
    page.goto(f"{base}?utm_source=x&email=a%40b.example&token=t#access_token=s")
    button = the_one_button(page)
    row = widget.row(reference_in(handoff_in_new_tab(page, button.click)))
    (request,) = sent
    assert parse_qs(urlsplit(request).query)["url"] == [f"{base}?utm_source=x"]
    for secret in ("email", "a%40b", "token", "access_token"):
        assert secret not in request
    assert row["click_url"] == f"{base}?utm_source=x"
    assert row["parsed_params"] == {"utm_source": "x"}
