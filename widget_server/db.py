"""The database handle shared by every module."""

import sqlite3
from typing import TYPE_CHECKING, Any

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CursorResult, Engine, MetaData, Result, Table, event
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic's batch migrations on SQLite deterministic.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
# Flask-SQLAlchemy builds db.Model at run time, out of a type checker's sight; to it, the tables
# derive from Base, which db.Model extends with table names and the app's session.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True)


def table(model: type[Base]) -> Table:
    """Return a model's Table, typed as one (declarative classes only promise a FromClause)."""
    found = model.__table__
    if not isinstance(found, Table):
        raise TypeError(f"{model.__name__} is not mapped to a table")
    return found


def changed(result: Result[Any]) -> int:
    """Return how many rows an UPDATE or DELETE run through the session changed."""
    # The session types every result alike; a DML statement's is a CursorResult with a rowcount.
    if not isinstance(result, CursorResult):
        raise TypeError("not the result of an UPDATE or DELETE")
    return result.rowcount


@event.listens_for(Engine, "connect")
def tune_sqlite(connection: object, record: object) -> None:
    """Let SQLite readers and writers of several workers overlap, without an fsync per click."""
    if isinstance(connection, sqlite3.Connection):
        cursor = connection.cursor()
        # WAL with synchronous=NORMAL stays consistent on a crash; it may lose the last commits
        # on power loss, a fair trade for a click log. busy_timeout makes writers queue.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def reason(error: Exception) -> str:
    """Say in one line why the database refused, for a log line during an outage."""
    cause = getattr(error, "orig", None) or error
    return str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
