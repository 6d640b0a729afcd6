"""Daily rollups: counted from the rows, kept once a day is settled, forgotten on a change."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from dashboard_support import add_session

from widget_server.db import db
from widget_server.models import Site, utcnow
from widget_server.sessions import rollup
from widget_server.sessions.correlation import correlate
from widget_server.sessions.retention import purge_before
from widget_server.sessions.rows import set_lead_type

DAY = (utcnow() - timedelta(days=5)).date()
NOON = datetime.combine(DAY, datetime.min.time(), UTC) + timedelta(hours=12)


def site_id(app, key):
    with app.app_context():
        return db.session.scalars(sa.select(Site.id).filter_by(key=key)).one()


def kept(app, sid):
    with app.app_context():
        return db.session.scalars(sa.select(rollup.FunnelDay.day).filter_by(site_id=sid)).all()


def test_a_day_is_counted_by_source_medium_campaign_landing_page_and_referrer(app, site):
    spring = {"utm_source": "news", "utm_medium": "email", "utm_campaign": "spring"}
    add_session(app, site, NOON, parsed_params=spring, click_count=3, device_id="a",
                click_url="https://shop.example/p?utm_source=news#x",
                referrer="https://mail.example/inbox")  # fmt: skip
    add_session(app, site, NOON, parsed_params=spring, device_id="a", lead_type="won",
                lead_value=120.5, lead_currency="EUR",
                correlated_at=NOON, click_url="https://shop.example/p?utm_source=news")  # fmt: skip
    add_session(app, site, NOON, device_id=None)
    add_session(app, site, NOON - timedelta(days=1))  # another day
    with app.app_context(), db.engine.connect() as connection:
        counted = rollup.tally(connection, site_id(app, site), DAY)
    cells = {key: dict(counts) for key, counts in counted.cells.items()}
    assert cells[("campaign", "news", "email", "spring")] == {
        "sessions": 2, "clicks": 4, "conversations": 1, "leads": 1, "won": 1, "value": 120.5
    }  # fmt: skip
    assert cells[("campaign", "", "", "")]["sessions"] == 1
    assert cells[("landing", "https://shop.example/p", "", "")]["sessions"] == 2
    assert cells[("landing", "", "", "")]["sessions"] == 1
    assert cells[("referrer", "mail.example", "", "")]["clicks"] == 3
    assert cells[("referrer", "", "", "")]["sessions"] == 2
    for facet in rollup.FACETS:  # every facet counts each session once
        assert sum(v["sessions"] for k, v in cells.items() if k[0] == facet) == 3
    assert round(counted.devices.get_estimate()) == 2  # device a, and the session without one


def test_a_settled_day_is_kept_and_forgotten_when_a_conversation_starts(app, site):
    reference = add_session(app, site, NOON)
    sid = site_id(app, site)
    with app.app_context():
        rollup.settle(sid, DAY)
    assert kept(app, sid) == [DAY]
    with app.app_context():
        correlate(sid, reference, "15550001111", "wamid.1", None)
    assert kept(app, sid) == []


def test_a_lead_type_change_forgets_the_day(app, site):
    reference = add_session(app, site, NOON)
    sid = site_id(app, site)
    with app.app_context():
        rollup.settle(sid, DAY)
        set_lead_type(sid, reference, "won")
    assert kept(app, sid) == []


def test_settling_again_replaces_the_kept_day(app, site):
    add_session(app, site, NOON)
    sid = site_id(app, site)
    with app.app_context():
        rollup.settle(sid, DAY)
        add_session(app, site, NOON)
        assert rollup.settle(sid, DAY).cells[("landing", "", "", "")]["sessions"] == 2
        kept_cells, _ = rollup.kept(sid, DAY, DAY)
        assert dict(kept_cells)[("landing", "", "", "")]["sessions"] == 2


def test_a_purge_forgets_the_days_it_deletes_from(app, site):
    add_session(app, site, NOON)
    sid = site_id(app, site)
    with app.app_context():
        rollup.settle(sid, DAY)
        purge_before(timedelta(days=1))
    assert kept(app, sid) == []


def test_landing_pages_and_referrers_are_read_from_urls():
    assert rollup.landing_page("https://Shop.example/a/b?utm_source=x#top") == (
        "https://Shop.example/a/b"
    )
    assert rollup.landing_page(None) == ""
    assert rollup.referrer_host("https://www.google.com/search?q=x") == "www.google.com"
    assert rollup.referrer_host(None) == ""
