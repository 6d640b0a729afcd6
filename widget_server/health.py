"""Liveness with a database check, and readiness that proves the database takes a write."""

import logging
from types import ModuleType
from typing import Any

from flask import Blueprint, Response
from sqlalchemy import text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from widget_server.clicks.write_turn import WriteTurn
from widget_server.db import db, reason, table
from widget_server.errors import envelope
from widget_server.models import WriteProbe, utcnow

bp = Blueprint("health", __name__)
log = logging.getLogger("widget_server.health")


@bp.get("/healthz")
def healthz() -> Response:
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return envelope(503, "database unavailable")
    return envelope(200, "ok", {"database": "ok"})


@bp.get("/readyz")
def readyz() -> Response:
    """Answer 200 when the database commits a write, 503 otherwise: ready for clicks."""
    try:
        with db.engine.connect() as connection, WriteTurn(connection, db.engine):
            insert = PROBE_UPSERT[connection.dialect.name]
            connection.execute(insert, {"id": 1, "written_at": utcnow()})
    except SQLAlchemyError as error:
        log.warning("not ready, the database cannot take a write: %s", reason(error))
        return envelope(503, "database cannot take writes")
    return envelope(200, "ok", {"database": "writable"})


def _upsert(dialect: ModuleType) -> Any:
    # One row, rewritten: proving a commit needs a real write (a full disk or a read-only file
    # still answers reads), and the table never grows.
    insert = dialect.insert(table(WriteProbe))
    return insert.on_conflict_do_update(
        index_elements=["id"], set_={"written_at": insert.excluded.written_at}
    )


PROBE_UPSERT = {"postgresql": _upsert(postgresql), "sqlite": _upsert(sqlite)}
