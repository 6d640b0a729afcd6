"""The click's writes in hand-written SQL on the raw driver: the server's one hot-path SQL module.

The click link is the server's hottest path, and SQLAlchemy Core's per-statement work cost it
more than the database did (bench/click.py). Everything else writes through Core; the outbox rows
here have a Core twin in `webhooks.enqueue`, and tests/server/clicks/test_click_sql.py checks that
both write the same rows on both databases. On PostgreSQL a click costs two round trips: the
device lock with the lookup, then one statement writing the session, its event and deliveries,
pipelined with the commit.
"""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine

from widget_server.clicks.write_turn import write_turn
from widget_server.webhooks.tables import PENDING

EVENT_TYPE = "widget.click"
SESSION_COLUMNS = (
    "site_id",
    "correlation_id",
    "device_id",
    "created_at",
    "last_click_at",
    "click_count",
    "click_url",
    "referrer",
    "parsed_params",
    "ip_address",
    "user_agent",
    "consent",
    "fbp",
    "fbc",
    "ga",
)
BROWSER_IDS = ("fbp", "fbc", "ga")


def _statements(p: str, as_json: str) -> dict[str, str]:
    """Spell the click's statements with the driver's placeholder p (as_json for a JSON one)."""
    values = ", ".join(as_json if name == "parsed_params" else p for name in SESSION_COLUMNS)
    # One delivery per enabled endpoint that wants the event (no event_types means all of them).
    wildcard = "%%" if p == "%s" else "%"  # psycopg's placeholders make a % of its own double
    wants = (
        "e.disabled_at IS NULL AND (e.event_types = ''"
        f" OR ' ' || e.event_types || ' ' LIKE '{wildcard} {EVENT_TYPE} {wildcard}')"
    )
    return {
        # The device's newest session, through the (site_id, device_id, created_at) index.
        "newest": "SELECT id, correlation_id, created_at, click_count FROM web_session"
        f" WHERE site_id = {p} AND device_id = {p} ORDER BY created_at DESC LIMIT 1",
        # Counted in SQL; the latest click's consent decides, "denied" forgets the browser ids.
        "count": f"UPDATE web_session SET click_count = click_count + 1, last_click_at = {p},"
        f" consent = {p}, "
        + ", ".join(
            f"{name} = CASE WHEN {p} = 'denied' THEN NULL ELSE coalesce({p}, {name}) END"
            for name in BROWSER_IDS
        )
        + f" WHERE id = {p} RETURNING site_id",
        # A drawn ID that is taken inserts nothing and returns no row: the caller draws again.
        "issue": f"INSERT INTO web_session ({', '.join(SESSION_COLUMNS)}) VALUES ({values})"
        " ON CONFLICT (correlation_id) DO NOTHING RETURNING site_id",
        "event": "INSERT INTO webhook_event (uid, site_id, event_type, data, created_at)"
        f" VALUES ({p}, {p}, '{EVENT_TYPE}', {as_json}, {p}) RETURNING id",
        "deliveries": "INSERT INTO webhook_delivery (event_id, endpoint_id, state, attempts,"
        f" next_attempt_at, created_at) SELECT {p}, e.id, '{PENDING}', 0, {p}, {p}"
        f" FROM webhook_endpoint e WHERE e.site_id = {p} AND {wants} ORDER BY e.id",
        # PostgreSQL writes a session and its outbox rows in one statement. The event is only
        # written with the session row: a taken ID or a purged session writes nothing at all.
        "outbox": " ev AS (INSERT INTO webhook_event (uid, site_id, event_type, data, created_at)"
        f" SELECT {p}, s.site_id, '{EVENT_TYPE}', {as_json}, {p} FROM s RETURNING id, site_id),"
        " d AS (INSERT INTO webhook_delivery (event_id, endpoint_id, state, attempts,"
        f" next_attempt_at, created_at) SELECT ev.id, e.id, '{PENDING}', 0, {p}, {p}"
        f" FROM ev JOIN webhook_endpoint e ON e.site_id = ev.site_id WHERE {wants}"
        " ORDER BY e.id) SELECT id FROM ev",
    }


_SQLITE = _statements("?", "?")
_POSTGRESQL = _statements("%s", "%s::json")
# Simultaneous first clicks of one device queue here until the first commits, so the next one
# finds its session: PostgreSQL has no write turn. A transaction lock ends with the commit.
_LOCK_DEVICE = "SELECT pg_advisory_xact_lock(%s, hashtext(%s))"
_PG_COUNT = f"WITH s AS ({_POSTGRESQL['count']}),{_POSTGRESQL['outbox']}"
_PG_ISSUE = f"WITH s AS ({_POSTGRESQL['issue']}),{_POSTGRESQL['outbox']}"


@dataclass(frozen=True)
class Found:
    """The device's newest session, as the reuse decision needs it."""

    session_id: int
    correlation_id: str
    created_at: datetime
    click_count: int


@dataclass(frozen=True)
class Outbox:
    """The `widget.click` event a click writes, with the time its deliveries are due."""

    uid: str
    site_id: int
    data: dict[str, Any]
    now: datetime


class ClickWriter:
    """One click's transaction on a pooled driver connection; every method is one step of it."""

    def __init__(self, connection: Any, dialect: str):
        self.connection = connection  # the DBAPI connection: sqlite3's or psycopg's
        self.dialect = dialect

    def newest(self, site_id: int, device_id: str) -> Found | None:
        """Return the device's newest session, holding the device's turn until the commit."""
        if self.dialect == "sqlite":  # already in the database's write turn
            cursor = self.connection.cursor()
            row = cursor.execute(_SQLITE["newest"], (site_id, device_id)).fetchone()
        else:
            # Pipelined, yet run in order: the lookup's snapshot is taken once the lock is held.
            with self.connection.pipeline():
                self.connection.execute(_LOCK_DEVICE, (site_id, device_id))
                found = self.connection.execute(_POSTGRESQL["newest"], (site_id, device_id))
                row = found.fetchone()
        if row is None:
            return None
        # SQLite keeps SQLAlchemy's text of the time; psycopg gives it back as a naive datetime.
        created = datetime.fromisoformat(row[2]) if isinstance(row[2], str) else row[2]
        return Found(row[0], row[1], created.replace(tzinfo=UTC), row[3])

    def count(self, session_id: int, click: dict[str, Any], outbox: Outbox) -> bool:
        """Count a click on the session and write its outbox rows; False if it is gone."""
        consent = click["consent"]
        ids = [value for name in BROWSER_IDS for value in (consent, click[name])]
        values = (self._bind(outbox.now), consent, *ids, session_id)
        if self.dialect == "sqlite":
            return self._sqlite_write(_SQLITE["count"], values, outbox)
        return self._pg_write(_PG_COUNT, values, outbox)

    def issue(self, session: dict[str, Any], outbox: Outbox) -> bool:
        """Insert a new session and its outbox rows; False if its correlation ID is taken."""
        values = tuple(self._bind(session[name]) for name in SESSION_COLUMNS)
        if self.dialect == "sqlite":
            return self._sqlite_write(_SQLITE["issue"], values, outbox)
        return self._pg_write(_PG_ISSUE, values, outbox)

    def _bind(self, value: Any) -> Any:
        """Spell a value as its column keeps it: JSON as text, times as naive UTC."""
        if isinstance(value, dict):
            return json.dumps(value)
        if isinstance(value, datetime):
            naive = value.astimezone(UTC).replace(tzinfo=None)
            # SQLAlchemy's own text for a DateTime on SQLite, which sorts as a time.
            return naive.isoformat(" ", "microseconds") if self.dialect == "sqlite" else naive
        return value

    def _sqlite_write(self, statement: str, values: tuple, outbox: Outbox) -> bool:
        cursor = self.connection.cursor()
        if cursor.execute(statement, values).fetchone() is None:
            return False
        now = self._bind(outbox.now)
        event = (outbox.uid, outbox.site_id, json.dumps(outbox.data), now)
        event_id = cursor.execute(_SQLITE["event"], event).fetchone()[0]
        cursor.execute(_SQLITE["deliveries"], (event_id, now, now, outbox.site_id))
        return True

    def _pg_write(self, statement: str, values: tuple, outbox: Outbox) -> bool:
        now = self._bind(outbox.now)
        params = (*values, outbox.uid, json.dumps(outbox.data), now, now, now)
        # The commit goes in the same round trip: when nothing was written it commits only the
        # lock's end, and the caller starts again in a transaction of its own.
        with self.connection.pipeline():
            cursor = self.connection.execute(statement, params)
            self.connection.commit()
        return cursor.fetchone() is not None


@contextmanager
def click_writer(engine: Engine) -> Iterator[ClickWriter]:
    """Check out a driver connection for one click's transaction; commit it at the end."""
    pooled = engine.raw_connection()
    try:
        with write_turn(pooled, engine):
            yield ClickWriter(pooled.driver_connection, engine.dialect.name)
    finally:
        pooled.close()  # back to the pool
