"""The widget keeps the campaign parameters the server keeps: UTMs and click_ids.py's names."""

from urllib.parse import urlencode

from browsing import handoff_in_new_tab, open_widget, reference_in

from click_ids import CLICK_IDS

# Names a loose pattern would take for click ids, and UTM look-alikes.
NEAR_MISSES = ("fooclid", "clid", "gclid_", "xgclid", "li_fat", "utm_", "utm", "sccid2", "kx")
# The kept touch: the campaign, and the referrer under `ref`.
KEPT = "(() => { const t = new URLSearchParams(sessionStorage.wah_t); t.delete('ref');"
KEPT += " return Object.fromEntries(t) })()"


def test_the_widget_keeps_every_click_id_and_no_near_miss(widget, site, page):
    names = [*CLICK_IDS, *NEAR_MISSES, "utm_source"]
    query = urlencode({name: f"v-{index}" for index, name in enumerate(names)})
    button = open_widget(page, f"{site()}/plain.html?{query}")
    kept = page.evaluate(KEPT)
    assert sorted(kept) == sorted([*CLICK_IDS, "utm_source"])

    row = widget.row(reference_in(handoff_in_new_tab(page, button.click)))
    assert row["parsed_params"] == kept


def test_names_match_in_any_case(site, page):
    open_widget(page, f"{site()}/plain.html?GCLID=a&Utm_Source=b&sccid=c")
    assert page.evaluate(KEPT) == {"GCLID": "a", "Utm_Source": "b", "sccid": "c"}
