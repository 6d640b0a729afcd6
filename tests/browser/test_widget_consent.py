"""Storage: nothing is kept before consent when asked, and blocked storage still hands over."""

from urllib.parse import parse_qsl, urlsplit

from browsing import handoff_in_new_tab, open_widget, reference_in

STORED = "[localStorage.length, sessionStorage.length, document.cookie]"


def test_consent_mode_stores_nothing_before_consent(widget, site, page):
    url = site() + "/consent.html?utm_source=mail&utm_campaign=june"
    button = open_widget(page, url)
    reference = reference_in(handoff_in_new_tab(page, button.click))
    row = widget.row(reference)
    assert row["parsed_params"] == {"utm_source": "mail", "utm_campaign": "june"}
    assert reference_in(handoff_in_new_tab(page, button.click)) == reference
    assert page.evaluate(STORED) == [0, 0, ""]
    assert page.context.cookies() == []

    page.evaluate("waHandoff('consent', true)")
    assert page.evaluate("localStorage.wah_d") == row["device_id"]
    assert "june" in page.evaluate("sessionStorage.wah_t")

    page.evaluate("waHandoff('consent', false)")
    assert page.evaluate(STORED) == [0, 0, ""]


def test_without_consent_each_page_view_is_a_new_device(widget, site, page):
    url = site() + "/consent.html"
    first = reference_in(handoff_in_new_tab(page, open_widget(page, url).click))
    second = reference_in(handoff_in_new_tab(page, open_widget(page, url).click))
    assert first != second
    assert page.evaluate(STORED) == [0, 0, ""]


def test_blocked_storage_still_hands_over(widget, site, page):
    # A sandboxed document has an opaque origin: touching its storage throws SecurityError.
    url = site(csp={"plain.html": "sandbox allow-scripts allow-popups"}) + "/plain.html"
    button = open_widget(page, url)
    assert page.evaluate("(() => { try { localStorage } catch (e) { return e.name } })()") == (
        "SecurityError"
    )
    reference = reference_in(handoff_in_new_tab(page, button.click))
    assert widget.row(reference)["click_url"] == url
    assert reference_in(handoff_in_new_tab(page, button.click)) == reference
    page.reload()
    assert reference_in(handoff_in_new_tab(page, open_widget(page, url).click)) != reference


def test_consent_queued_before_the_script_loads_is_applied(widget, site, page):
    button = open_widget(page, site() + "/consent_stub.html?utm_source=ads&gclid=xyz")
    assert "xyz" in page.evaluate("sessionStorage.wah_t")
    reference = reference_in(handoff_in_new_tab(page, button.click))
    assert widget.row(reference)["device_id"] == page.evaluate("localStorage.wah_d")


BROWSER_IDS = {"fbp": "fb.1.1700000000000.123", "fbc": "fb.1.1700000000000.IwAR", "ga": "GA1.1.2.3"}
SET_COOKIES = ";".join(f"document.cookie = '_{key}={value}'" for key, value in BROWSER_IDS.items())


def sent_with_click(page, button) -> dict:
    """Click, follow the handoff, and return the query the widget sent to /c/."""
    sent = []
    page.context.on("request", lambda r: "/c/" in r.url and sent.append(r.url))
    reference_in(handoff_in_new_tab(page, button.click))
    (url,) = sent
    return dict(parse_qsl(urlsplit(url).query))


def test_without_a_consent_mode_the_click_says_unknown_and_carries_the_browser_ids(site, page):
    button = open_widget(page, site() + "/plain.html")
    page.evaluate(SET_COOKIES)
    sent = sent_with_click(page, button)
    assert sent["consent"] == "unknown"
    assert {name: sent.get(name) for name in BROWSER_IDS} == BROWSER_IDS


def test_in_consent_mode_browser_ids_go_only_after_consent(site, page):
    button = open_widget(page, site() + "/consent.html")
    page.evaluate(SET_COOKIES)
    before = sent_with_click(page, button)
    assert before["consent"] == "denied"
    assert not set(BROWSER_IDS) & set(before)

    page.evaluate("waHandoff('consent', true)")
    after = sent_with_click(page, button)
    assert after["consent"] == "granted"
    assert {name: after.get(name) for name in BROWSER_IDS} == BROWSER_IDS
