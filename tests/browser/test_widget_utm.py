"""The landing page's campaign travels with the visit to the page where the visitor clicks."""

from browsing import handoff_in_new_tab, open_widget, reference_in

from examples.site.serve import ROOT as EXAMPLE_SITE

SEARCH = "https://www.google.com/"


def test_utms_of_the_landing_page_reach_a_click_on_another_page(widget, site, page):
    shop = site(EXAMPLE_SITE)
    page.goto(f"{shop}/index.html?utm_source=google&utm_campaign=spring&gclid=Cj0K", referer=SEARCH)
    page.get_by_role("link", name="Pricing").first.click()
    page.wait_for_url(f"{shop}/pricing.html")

    row = widget.row(reference_in(handoff_in_new_tab(page, open_widget(page, page.url).click)))
    assert row["parsed_params"] == {
        "utm_source": "google",
        "utm_campaign": "spring",
        "gclid": "Cj0K",
    }
    assert row["click_url"].startswith(f"{shop}/pricing.html?")
    assert row["referrer"] == SEARCH


def test_the_last_touch_of_the_visit_wins_whole(widget, site, page):
    shop = site(EXAMPLE_SITE)
    page.goto(f"{shop}/index.html?utm_source=google&utm_medium=cpc&utm_campaign=spring")
    page.goto(f"{shop}/pricing.html")
    page.goto(f"{shop}/index.html?utm_source=newsletter&utm_campaign=may")
    page.goto(f"{shop}/pricing.html")

    row = widget.row(reference_in(handoff_in_new_tab(page, open_widget(page, page.url).click)))
    assert row["parsed_params"] == {"utm_source": "newsletter", "utm_campaign": "may"}


def test_a_page_without_a_campaign_sends_no_campaign(widget, site, page):
    shop = site(EXAMPLE_SITE)
    row = widget.row(
        reference_in(handoff_in_new_tab(page, open_widget(page, f"{shop}/pricing.html").click))
    )
    assert row["parsed_params"] == {}
    assert row["click_url"] == f"{shop}/pricing.html"
