"""The overview page: ranges, the funnel, the chart, tables that sort and group."""

import re
from datetime import UTC, datetime, timedelta

from dashboard_support import add_session

from widget_server.models import utcnow

TODAY = utcnow().date()
NOW = datetime(TODAY.year, TODAY.month, TODAY.day, 0, 30, tzinfo=UTC)


def step(html: str, name: str) -> str:
    return re.search(rf'data-step="{name}">([^<]+)<', html).group(1)


def test_the_funnel_shows_todays_clicks_devices_and_conversations(app, signed_in, site):
    add_session(app, site, NOW, click_count=2, device_id="a", correlated_at=NOW)
    add_session(app, site, NOW, device_id="b", lead_type="won")
    add_session(app, site, NOW - timedelta(days=3), device_id="c")
    html = signed_in.get(f"/dashboard/sites/{site}/?range=today").text
    steps = ("clicks", "unique-devices", "conversations", "leads", "won")
    assert [step(html, name) for name in steps] == ["3", "2", "1", "1", "1"]
    assert "50.0% of the step before" in html  # 1 conversation of 2 devices
    week = signed_in.get(f"/dashboard/sites/{site}/?range=7d").text
    assert step(week, "clicks") == "4"
    assert week.count('class="bar-clicks"') == 7


def test_the_table_groups_by_campaign_landing_page_or_referrer_and_sorts(app, signed_in, site):
    for _ in range(3):
        add_session(app, site, NOW, parsed_params={"utm_source": "ads", "utm_campaign": "big"},
                    click_url="https://shop.example/a?utm_source=ads")  # fmt: skip
    add_session(app, site, NOW, parsed_params={"utm_source": "news", "utm_campaign": "small"},
                referrer="https://mail.example/x", correlated_at=NOW)  # fmt: skip
    url = f"/dashboard/sites/{site}/?range=today"
    by_sessions = signed_in.get(url).text
    assert by_sessions.index(">big<") < by_sessions.index(">small<")
    by_rate = signed_in.get(url + "&sort=rate&dir=desc").text
    assert by_rate.index(">small<") < by_rate.index(">big<")
    assert 'aria-sort="descending"' in by_rate
    assert "https://shop.example/a<" in signed_in.get(url + "&by=landing").text
    assert "mail.example<" in signed_in.get(url + "&by=referrer").text


def test_a_custom_range_is_read_and_a_bad_one_explained(signed_in, site):
    first = TODAY - timedelta(days=2)
    ok = signed_in.get(f"/dashboard/sites/{site}/?range=custom&from={first}&to={TODAY}")
    assert ok.status_code == 200 and f"Funnel, {first} to {TODAY}" in ok.text
    for query, message in [
        ("range=year", "range must be today, 7d, 30d or custom"),
        (f"range=custom&from={TODAY}&to={first}", "the first day must not be after the last"),
        ("range=custom&from=2020-01-01&to=2026-01-01", "a range spans at most 366 days"),
        ("range=custom&from=yesterday&to=2026-01-01", "from must be a day written YYYY-MM-DD"),
    ]:
        response = signed_in.get(f"/dashboard/sites/{site}/?{query}")
        assert response.status_code == 400, query
        assert message in response.text, query


def test_visitor_text_is_escaped(app, signed_in, site):
    add_session(app, site, NOW, parsed_params={"utm_campaign": "<script>alert(1)</script>"})
    html = signed_in.get(f"/dashboard/sites/{site}/?range=today").text
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)" in html
