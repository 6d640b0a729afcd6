"""Liveness and readiness: readiness proves the database takes a write."""

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import WriteProbe


def probe_times(app):
    with app.app_context():
        return list(db.session.scalars(sa.select(WriteProbe.written_at)))


def test_liveness_answers_ok(client):
    assert client.get("/healthz").json == {
        "status": 200,
        "message": "ok",
        "data": {"database": "ok"},
    }


def test_readiness_commits_a_write_to_one_row(app, client):
    first = client.get("/readyz")
    assert first.json == {"status": 200, "message": "ok", "data": {"database": "writable"}}
    [before] = probe_times(app)
    assert client.get("/readyz").status_code == 200
    [after] = probe_times(app)
    assert after > before
