"""The refused second senders of a site: newest first, filtered, counted, never another site's."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_support import START, other_site
from sessions_support import add_conflict

from widget_server.db import db
from widget_server.models import Site
from widget_server.sessions import conflicts

MINE, THEIRS = "O-Mine001", "O-Mine002"


@pytest.fixture
def refused(app, site):
    """Three refusals on the site (two of MINE), one of another site's session of the same name."""
    add_conflict(app, site, MINE, "15550000001", START)
    add_conflict(app, site, THEIRS, "15550000002", START + timedelta(hours=1))
    add_conflict(app, site, MINE, "US.13491208655302741918", START + timedelta(hours=2))
    add_conflict(app, other_site(app), MINE, "15550000009", START + timedelta(hours=3))


def site_id(key):
    return db.session.scalars(sa.select(Site.id).filter_by(key=key)).one()


def senders(rows):
    return [row.whatsapp_id for row in rows]


def test_recent_lists_only_the_sites_refusals_newest_first(app, site, refused):
    with app.app_context():
        rows = conflicts.recent(site_id(site), 20)
    assert senders(rows) == ["US.13491208655302741918", "15550000002", "15550000001"]


def test_recent_keeps_those_since_a_time_of_one_session_up_to_the_limit(app, site, refused):
    with app.app_context():
        key = site_id(site)
        since = conflicts.recent(key, 20, since=START + timedelta(hours=1))
        of_mine = conflicts.recent(key, 20, reference=MINE)
        newest = conflicts.recent(key, 1)
    assert senders(since) == ["US.13491208655302741918", "15550000002"]
    assert senders(of_mine) == ["US.13491208655302741918", "15550000001"]
    assert senders(newest) == ["US.13491208655302741918"]


def test_counts_are_per_session_of_the_site_and_leave_out_those_without(app, site, refused):
    with app.app_context():
        key = site_id(site)
        assert conflicts.counts(key, [MINE, THEIRS, "O-Nobody1"]) == {MINE: 2, THEIRS: 1}
        assert conflicts.counts(key, []) == {}
