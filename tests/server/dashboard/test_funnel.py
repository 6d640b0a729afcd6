"""The overview's numbers: the same whether a day is kept or counted live, and kept up to date."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from dashboard_support import add_session

from widget_server.dashboard.funnel import live_from, overview
from widget_server.db import db
from widget_server.models import Site, utcnow
from widget_server.sessions import rollup
from widget_server.sessions.correlation import correlate
from widget_server.sessions.rows import set_lead_type

TODAY = utcnow().date()


def at(days_ago: int, hour: int = 10) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC).replace(
        hour=hour
    )


def load(app, site):
    params = {"utm_source": "ads", "utm_medium": "cpc", "utm_campaign": "spring"}
    refs = [add_session(app, site, at(n % 9, n % 24), parsed_params=params if n % 2 else {},
                        device_id=f"dev-{n % 7}", click_count=1 + n % 3,
                        correlated_at=at(0) if n % 4 == 0 else None,
                        lead_type="won" if n % 8 == 0 else ("qualified" if n % 5 == 0 else None))
            for n in range(60)]  # fmt: skip
    return refs


def summary(app, key, first, last):
    with app.app_context():
        site = db.session.scalars(sa.select(Site).filter_by(key=key)).one()
        return overview(site, first, last)


def test_the_funnel_counts_clicks_devices_conversations_leads_and_won(app, site):
    load(app, site)
    result = summary(app, site, TODAY - timedelta(days=29), TODAY)
    assert result.totals["sessions"] == 60
    assert result.totals["clicks"] == sum(1 + n % 3 for n in range(60))
    assert result.devices == 7
    assert result.totals["conversations"] == 15
    assert result.totals["leads"] == len([n for n in range(60) if n % 8 == 0 or n % 5 == 0])
    assert result.totals["won"] == 8
    assert len(result.days) == 30
    assert sum(counts["sessions"] for _, counts in result.days) == 60
    spring = result.tables["campaign"][("ads", "cpc", "spring")]
    assert spring["sessions"] == 30


def test_kept_days_count_as_the_rows_do(app, site):
    load(app, site)
    first = summary(app, site, TODAY - timedelta(days=10), TODAY)
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(rollup.FunnelDay)) > 0
    second = summary(app, site, TODAY - timedelta(days=10), TODAY)
    assert first.totals == second.totals and first.tables == second.tables
    assert first.devices == second.devices


def test_only_settled_days_are_kept(app, site):
    load(app, site)
    summary(app, site, TODAY - timedelta(days=10), TODAY)
    with app.app_context():
        days = db.session.scalars(sa.select(rollup.FunnelDay.day)).all()
        site_row = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        assert max(days) < live_from(site_row, utcnow())


def test_a_conversation_and_a_won_lead_on_a_kept_day_show_at_once(app, site):
    reference = add_session(app, site, at(6))
    before = summary(app, site, TODAY - timedelta(days=7), TODAY)
    assert (before.totals["conversations"], before.totals["won"]) == (0, 0)
    with app.app_context():
        sid = db.session.scalars(sa.select(Site.id).filter_by(key=site)).one()
        correlate(sid, reference, "15550001111", "wamid.1", None)
        set_lead_type(sid, reference, "won")
    after = summary(app, site, TODAY - timedelta(days=7), TODAY)
    assert (after.totals["conversations"], after.totals["won"]) == (1, 1)


def test_another_sites_sessions_never_count(app, site):
    from dashboard_support import make_site

    other = make_site(app)
    add_session(app, other, at(3))
    assert summary(app, site, TODAY - timedelta(days=7), TODAY).totals["sessions"] == 0
