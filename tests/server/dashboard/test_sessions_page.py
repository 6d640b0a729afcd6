"""The sessions page: the API's filters and cursor pages; one session with its deliveries."""

import re
from datetime import timedelta

import sqlalchemy as sa
from dashboard_support import add_session, utc

from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import endpoints, enqueue


def references(html: str) -> list[str]:
    return re.findall(r'/sessions/(O-[A-Za-z0-9]{7})"', html)


def test_sessions_come_newest_first_in_pages_of_fifty(app, signed_in, site):
    made = [add_session(app, site, utc(2026, 11, 1) + timedelta(minutes=n)) for n in range(60)]
    first = signed_in.get(f"/dashboard/sites/{site}/sessions")
    assert references(first.text) == made[::-1][:50]
    next_url = re.search(r'href="\?([^"]+)" rel="next"', first.text).group(1).replace("&amp;", "&")
    second = signed_in.get(f"/dashboard/sites/{site}/sessions?{next_url}")
    assert references(second.text) == made[::-1][50:]
    assert 'rel="next"' not in second.text


def test_sessions_filter_by_day_and_conversation(app, signed_in, site):
    early = add_session(app, site, utc(2026, 11, 1, 10))
    linked = add_session(app, site, utc(2026, 11, 2, 10), correlated_at=utc(2026, 11, 2, 11))
    late = add_session(app, site, utc(2026, 11, 3, 10))
    url = f"/dashboard/sites/{site}/sessions"
    assert references(signed_in.get(url + "?since=2026-11-02").text) == [late, linked]
    assert references(signed_in.get(url + "?until=2026-11-02").text) == [early]
    assert references(signed_in.get(url + "?correlated=true").text) == [linked]
    assert references(signed_in.get(url + "?correlated=false").text) == [late, early]


def test_a_bad_filter_or_cursor_is_a_400_with_the_apis_message(signed_in, site):
    url = f"/dashboard/sites/{site}/sessions"
    response = signed_in.get(url + "?since=2026-11-03&until=2026-11-02")
    assert response.status_code == 400 and "since must be earlier than until" in response.text
    response = signed_in.get(url + "?cursor=not-a-cursor-at-all-xxxxxxxxxxx")
    assert response.status_code == 400 and "cursor" in response.text


def test_a_session_shows_its_click_conversation_lead_and_deliveries(app, signed_in, site):
    reference = add_session(
        app, site, utc(2026, 11, 1, 10), click_url="https://shop.example/?utm_source=ads",
        parsed_params={"utm_source": "ads"}, correlated_at=utc(2026, 11, 1, 11),
        whatsapp_id="15550001111", profile_name="Ana", lead_type="qualified",
    )  # fmt: skip
    with app.app_context():
        endpoints.add(site, "http://127.0.0.1:9/hook", [])
        site_id = db.session.scalars(sa.select(Site.id).filter_by(key=site)).one()
        enqueue(site_id, "conversation.correlated", {"correlation_id": reference})
        enqueue(site_id, "widget.click", {"correlation_id": "O-Zzzzzz9"})
        db.session.commit()
    html = signed_in.get(f"/dashboard/sites/{site}/sessions/{reference}").text
    for text in ("https://shop.example/?utm_source=ads", "Ana 15550001111", "qualified",
                 "conversation.correlated", "http://127.0.0.1:9/hook", "Redeliver #"):  # fmt: skip
        assert text in html, text
    assert "widget.click" not in html  # another session's event
    assert signed_in.get(f"/dashboard/sites/{site}/sessions/O-Nothere").status_code == 404
    assert signed_in.get(f"/dashboard/sites/{site}/sessions/nonsense").status_code == 404
