"""Liveness with a database check."""

from flask import Blueprint
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from widget_server.db import db
from widget_server.errors import envelope

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    """Answer 200 when the database answers, 503 otherwise."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return envelope(503, "database unavailable")
    return envelope(200, "ok", {"database": "ok"})
