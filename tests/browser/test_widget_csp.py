"""The widget works under a Content-Security-Policy that allows only the widget server."""

from browsing import handoff_in_new_tab, reference_in

import correlation_id

POLICY = "default-src 'none'; script-src {{WIDGET_URL}}; connect-src {{WIDGET_URL}}; img-src data:"
LISTEN = """
window.violations = [];
document.addEventListener('securitypolicyviolation',
    (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def test_strict_csp_page_shows_and_uses_the_widget_without_violations(widget, site, page):
    url = site(csp={"csp.html": POLICY}) + "/csp.html"
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    page.goto(url)
    button = page.get_by_role("button", name="Message us")
    button.wait_for()

    style = button.evaluate(
        "b => { const s = getComputedStyle(b), h = getComputedStyle(b.getRootNode().host);"
        " return [s.backgroundColor, s.color, h.position, h.left] }"
    )
    assert style == ["rgb(91, 42, 134)", "rgb(255, 255, 255)", "fixed", "20px"]
    reference = reference_in(handoff_in_new_tab(page, button.click))
    assert correlation_id.is_valid(reference)
    assert widget.row(reference)["click_url"] == url
    assert page.evaluate("violations") == []
    assert not [text for text in console if "Content Security Policy" in text]

    # The policy is really in force: an inline style element is reported.
    page.evaluate(
        "document.head.append(Object.assign(document.createElement('style'), {textContent: 'p{}'}))"
    )
    page.wait_for_function("violations.length > 0")
    assert page.evaluate("violations")[0].startswith("style-src")
