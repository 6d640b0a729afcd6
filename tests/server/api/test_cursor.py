"""Page cursors: sealed per site with the server's key; anything else is a precise 400."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from api_support import bearer, seed

from widget_server.api import cursor
from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.models import Site
from widget_server.sessions.rows import Filters

MOMENT = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
LIST = "/integrations/external/attribution"


def test_a_cursor_opens_to_what_was_sealed(app):
    filters = Filters(since=MOMENT, until=None, correlated=False)
    with app.test_request_context():
        sealed = cursor.encode(7, filters, (MOMENT, 42))
        assert cursor.decode(7, sealed) == (filters, (MOMENT, 42))


def test_another_site_or_another_key_cannot_open_it(app):
    with app.test_request_context():
        sealed = cursor.encode(7, Filters(), (MOMENT, 42))
        with pytest.raises(ApiError, match="altered or issued for another site"):
            cursor.decode(8, sealed)
        app.config["SECRET_KEY"] = "another key"
        with pytest.raises(ApiError, match="altered or issued for another site"):
            cursor.decode(7, sealed)


@pytest.mark.parametrize(
    "payload",
    [
        {"t": 10**30, "i": 1, "s": None, "u": None, "c": None},  # past datetime.max
        {"t": 0, "i": 2**63, "s": None, "u": None, "c": None},  # past a 64-bit row id
        {"t": 0, "i": 0, "s": None, "u": None, "c": None},
        {"t": 0, "i": True, "s": None, "u": None, "c": None},
        {"t": 0, "i": 1, "s": -(10**30), "u": None, "c": None},
        {"t": 0.5, "i": 1, "s": None, "u": None, "c": None},
        {"t": None, "i": 1, "s": None, "u": None, "c": None},
        {"t": 0, "i": 1, "s": None, "u": None, "c": "yes"},
        {"t": 0, "i": 1},
        ["not", "an", "object"],
    ],
)
def test_a_validly_sealed_but_impossible_cursor_is_a_400(client, site, make_key, app, payload):
    # Only a holder of the key could seal these; the answer must still be a 400, never a 500.
    seed(app, site, 2)
    reader = bearer(make_key(site))
    with app.test_request_context():
        site_id = db.session.execute(sa.select(Site.id).filter_by(key=site)).scalar_one()
        forged = cursor._serializer(site_id).dumps(payload)
    response = client.get(f"{LIST}?cursor={forged}", headers=reader)
    assert response.status_code == 400
    assert response.get_json()["message"] == cursor.MALFORMED
