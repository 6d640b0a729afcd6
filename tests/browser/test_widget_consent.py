"""Storage: nothing is kept before consent when asked, and blocked storage still hands over."""

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
