"""The CSV export: one line per group and a totals line equal to the attribution API's rows."""

import csv
import io
from datetime import UTC, datetime, timedelta

from dashboard_support import add_session

from widget_server.models import utcnow

TODAY = utcnow().date()


def at(days_ago: int, hour: int) -> datetime:
    day = TODAY - timedelta(days=days_ago)
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def api_totals(client, key, since, until):
    """Walk the attribution API's pages over a range; count what the CSV counts."""
    url = f"/integrations/external/attribution?limit=100&since={since}&until={until}"
    totals, page = {"sessions": 0, "conversations": 0, "leads": 0, "won": 0}, None
    while True:
        body = client.get(url + (f"&cursor={page}" if page else ""),
                          headers={"Authorization": f"Bearer {key}"}).get_json()  # fmt: skip
        for row in body["data"]:
            totals["sessions"] += 1
            totals["conversations"] += row["correlated_at"] is not None
            totals["leads"] += row["lead_type"] is not None
            totals["won"] += row["lead_type"] == "won"
        if not body["has_more"]:
            return totals
        page = body["next_cursor"]


def test_the_csv_totals_equal_the_attribution_apis_for_the_same_range(
    app, signed_in, site, make_key
):
    for n in range(150):
        campaign = {"utm_source": "news", "utm_campaign": f"c{n % 4}"} if n % 3 else {}
        add_session(app, site, at(n % 12, n % 24), parsed_params=campaign,
                    correlated_at=at(0, 1) if n % 2 else None,
                    lead_type=("won", "lost", None)[n % 3])  # fmt: skip
    first, last = TODAY - timedelta(days=6), TODAY
    response = signed_in.get(
        f"/dashboard/sites/{site}/export.csv?range=custom&from={first}&to={last}&by=campaign"
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = list(csv.DictReader(io.StringIO(response.text)))
    total = lines[-1]
    assert total["source"] == "total"
    expected = api_totals(signed_in.client, make_key(site), f"{first}T00:00:00Z",
                          f"{last + timedelta(days=1)}T00:00:00Z")  # fmt: skip
    assert {name: int(total[name]) for name in expected} == expected
    assert expected["sessions"] > 0
    assert sum(int(line["sessions"]) for line in lines[:-1]) == expected["sessions"]


def test_a_cell_that_would_run_as_a_formula_is_quoted(app, signed_in, site):
    add_session(app, site, at(0, 1), parsed_params={"utm_source": "=HYPERLINK(1)"})
    text = signed_in.get(f"/dashboard/sites/{site}/export.csv?range=today").text
    assert "'=HYPERLINK(1)" in text


def test_a_bad_range_is_a_400_saying_what_to_fix(signed_in, site):
    response = signed_in.get(f"/dashboard/sites/{site}/export.csv?range=custom&from=2026-13-01")
    assert response.status_code == 400
    assert response.text == "from must be a day written YYYY-MM-DD\n"
