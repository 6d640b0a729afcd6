"""The overview's numbers: the same whether a day is kept or counted live, and kept up to date."""

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from dashboard_support import add_session

from widget_server.dashboard.funnel import WRITTEN_AFTER, live_from, overview
from widget_server.db import db
from widget_server.models import Site, WebSession, utcnow
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


def test_an_open_day_keeps_only_the_sessions_no_reused_reference_can_change(app, site):
    load(app, site)
    summary(app, site, TODAY - timedelta(days=10), TODAY)
    with app.app_context():
        site_row = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        final = utcnow() - timedelta(hours=site_row.reuse_hours)
        for day, counted_until in db.session.execute(
            sa.select(rollup.FunnelDay.day, rollup.FunnelDay.computed_at)
        ):
            if day >= live_from(site_row, utcnow()):
                assert counted_until <= final < rollup.day_bounds(day)[1]


def test_an_open_days_kept_part_and_its_reusable_sessions_add_up_then_settle(app, site):
    now = utcnow()
    yesterday = rollup.day_bounds(TODAY - timedelta(days=1))[0]
    # A reuse window that ends an hour or two into yesterday: yesterday is open, part of it final.
    hours = int((now - yesterday).total_seconds() // 3600) - 1
    final = now - timedelta(hours=hours)
    add_session(app, site, yesterday + timedelta(minutes=30), device_id="early")
    late = add_session(app, site, final + timedelta(minutes=1), device_id="late")
    with app.app_context():
        site_row = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        site_row.reuse_hours = hours
        db.session.commit()
    first = summary(app, site, TODAY - timedelta(days=2), TODAY)
    assert (first.totals["sessions"], first.totals["clicks"], first.devices) == (2, 2, 2)
    with app.app_context():
        counted_until = db.session.scalar(
            sa.select(rollup.FunnelDay.computed_at).filter_by(day=TODAY - timedelta(days=1))
        )
        assert final - timedelta(seconds=5) < counted_until <= final + timedelta(seconds=5)
        # A reused reference adds a click to the session after the kept part.
        db.session.execute(
            sa.update(WebSession).filter_by(correlation_id=late).values(click_count=3)
        )
        db.session.commit()
    second = summary(app, site, TODAY - timedelta(days=2), TODAY)
    assert (second.totals["sessions"], second.totals["clicks"]) == (2, 4)
    assert dict(second.days)[TODAY - timedelta(days=1)]["clicks"] == 4
    with app.app_context():  # a shorter window settles yesterday: counted again, whole
        site_row = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        site_row.reuse_hours = 1
        db.session.commit()
    third = summary(app, site, TODAY - timedelta(days=2), TODAY)
    assert (third.totals["sessions"], third.totals["clicks"], third.devices) == (2, 4, 2)
    with app.app_context():
        counted_until = db.session.scalar(
            sa.select(rollup.FunnelDay.computed_at).filter_by(day=TODAY - timedelta(days=1))
        )
        assert counted_until >= rollup.day_bounds(TODAY)[0]


def test_an_open_days_devices_are_kept_up_to_an_hour_ago_and_the_later_ones_counted(app, site):
    now = utcnow()
    add_session(app, site, now - timedelta(hours=3), device_id="early")
    add_session(app, site, now - timedelta(hours=2), device_id=None)
    first = summary(app, site, TODAY - timedelta(days=1), TODAY)
    assert (first.totals["sessions"], first.devices) == (2, 2)
    with app.app_context():
        kept = db.session.execute(  # open days only: a settled one keeps all it has
            sa.select(rollup.FunnelDay.computed_at, rollup.FunnelDay.devices_until).where(
                rollup.FunnelDay.devices_until.is_not(None)
            )
        ).all()
    # Within the reuse window: the clicks are not kept yet, the devices are.
    assert any(devices_until > counted_until for counted_until, devices_until in kept)
    assert all(
        devices_until <= now - WRITTEN_AFTER + timedelta(minutes=1) for _, devices_until in kept
    )
    add_session(app, site, now - timedelta(minutes=10), device_id="late")
    add_session(app, site, now - timedelta(minutes=5), device_id="early")  # a device seen before
    second = summary(app, site, TODAY - timedelta(days=1), TODAY)
    assert (second.totals["sessions"], second.devices) == (4, 3)


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
