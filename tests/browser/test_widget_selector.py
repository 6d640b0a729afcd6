"""Selector mode: the site's own links and buttons become the handoff triggers."""

from browsing import LABEL, NUMBER, handoff_in_new_tab, reference_in

ADDED = """
const a = Object.assign(document.createElement('a'), {className: 'ask-whatsapp', href: '#'});
a.textContent = 'Added later';
document.body.append(a);
"""


def test_the_sites_own_triggers_hand_over_and_no_button_is_added(widget, site, page):
    page.goto(site() + "/selector.html")
    page.wait_for_function("typeof waHandoff == 'function'")
    assert page.get_by_role("button", name=LABEL).count() == 0

    link = page.get_by_role("link", name="Ask about the Cargo bike")
    first = handoff_in_new_tab(page, link.click)
    assert first.startswith(f"https://wa.me/{NUMBER}?text=")
    reference = reference_in(first)
    assert widget.row(reference)["click_url"].endswith("/selector.html")

    inner = page.get_by_text("Ask us anything")
    assert reference_in(handoff_in_new_tab(page, inner.click)) == reference

    page.evaluate(ADDED)
    later = page.get_by_role("link", name="Added later")
    assert reference_in(handoff_in_new_tab(page, later.click)) == reference


def test_other_links_are_left_alone(site, page):
    page.goto(site() + "/selector.html")
    page.wait_for_function("typeof waHandoff == 'function'")
    with page.expect_request("https://example.com/") as request:
        page.get_by_role("link", name="Not a trigger").click()
    assert request.value.frame == page.main_frame
    assert len(page.context.pages) == 1
