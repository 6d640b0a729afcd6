"""Liveness and readiness: readiness proves the database takes a write."""

import sqlalchemy as sa

from widget_server import create_app
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


def test_a_database_that_cannot_open_is_503(tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/x.db"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["message"] == "database unavailable"
