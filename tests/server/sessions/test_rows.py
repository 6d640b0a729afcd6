"""Attribution rows: keyset pages, one row by reference, and lead types announced once."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from api_support import START, events, seed

from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.models import Site
from widget_server.sessions.rows import Filters, one, page, set_lead_type


def site_id(site_key):
    return db.session.execute(sa.select(Site.id).filter_by(key=site_key)).scalar_one()


def test_pages_walk_newest_first_without_gaps(app, site):
    ids = seed(app, site, 5)
    with app.app_context():
        walked, after = [], None
        while True:
            rows, after = page(site_id(site), Filters(), 2, after)
            walked += [row.correlation_id for row in rows]
            if after is None:
                break
    assert walked == ids[::-1]


def test_filters_bound_the_rows(app, site):
    ids = seed(app, site, 4)
    with app.app_context():
        since = Filters(since=START + timedelta(minutes=1), until=START + timedelta(minutes=3))
        rows, after = page(site_id(site), since, 10)
    assert [row.correlation_id for row in rows] == ids[1:3][::-1] and after is None


def test_one_finds_the_exact_reference_or_its_only_retyped_case(app, site):
    [reference] = seed(app, site, 1)
    with app.app_context():
        assert one(site_id(site), reference).correlation_id == reference
        assert one(site_id(site), reference.lower()).correlation_id == reference
        with pytest.raises(ApiError, match="no attribution row") as raised:
            one(site_id(site), "O-Unkn0wn")
    assert raised.value.status == 404


def test_a_lead_type_change_is_announced_once(app, site):
    [reference] = seed(app, site, 1)
    with app.app_context():
        assert set_lead_type(site_id(site), reference, "hot").lead_type == "hot"
        set_lead_type(site_id(site), reference, "hot")
        set_lead_type(site_id(site), reference, None)
    changes = [(data["previous_lead_type"], data["lead_type"]) for _, data in events(app)]
    assert changes == [(None, "hot"), ("hot", None)]
