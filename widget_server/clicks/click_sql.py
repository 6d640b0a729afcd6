"""The click's writes in hand-written SQL on the raw driver: the server's one hot-path SQL module.

The click link is the server's hottest path, and SQLAlchemy Core's per-statement work cost it
more than the database did (bench/click.py). Everything else writes through Core; the outbox rows
here have a Core twin in `webhooks.enqueue`, and tests/server/clicks/test_click_sql.py checks that
both write the same rows on both databases. The lookup of the device's session is its count, and on
PostgreSQL one statement writes the event with its deliveries (and the session, if new). psycopg's
pipeline mode would save round trips, but it cost the worker more time than they did: the click
is bound by the server's CPU, not by loopback. Each thread keeps its click connection.
"""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.pool import Pool, PoolProxiedConnection

from widget_server.clicks.write_turn import WriteTurn
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
    event = (
        "INSERT INTO webhook_event (uid, site_id, event_type, data, created_at)"
        f" VALUES ({p}, {p}, '{EVENT_TYPE}', {as_json}, {p}) RETURNING id, site_id"
    )
    # A drawn ID that is taken inserts nothing and returns no row: the caller draws again.
    session = (
        f"INSERT INTO web_session ({', '.join(SESSION_COLUMNS)}) VALUES ({values})"
        " ON CONFLICT (correlation_id) DO NOTHING RETURNING site_id"
    )
    delivery = "INSERT INTO webhook_delivery (event_id, endpoint_id, state, attempts,"
    delivery += f" next_attempt_at, created_at) SELECT {{event_id}}, e.id, '{PENDING}', 0, {p}, {p}"
    # PostgreSQL: the deliveries of the event written by the statement's `ev` part.
    deliveries_of_ev = (
        f"d AS ({delivery.format(event_id='ev.id')} FROM ev JOIN webhook_endpoint e"
        f" ON e.site_id = ev.site_id WHERE {wants} ORDER BY e.id) SELECT id FROM ev"
    )
    return {
        # Counts the click on the device's newest session, if that began after the reuse
        # window opened: the lookup and the count in one statement, through the
        # (site_id, device_id, created_at) index. The latest click's consent decides, and
        # "denied" forgets the browser ids.
        "count": f"UPDATE web_session SET click_count = click_count + 1, last_click_at = {p},"
        f" consent = {p}, "
        + ", ".join(
            f"{name} = CASE WHEN {p} = 'denied' THEN NULL ELSE coalesce({p}, {name}) END"
            for name in BROWSER_IDS
        )
        + " WHERE id = (SELECT id FROM web_session"
        f" WHERE site_id = {p} AND device_id = {p} ORDER BY created_at DESC LIMIT 1)"
        f" AND created_at > {p} RETURNING id, correlation_id, created_at, click_count",
        "issue": session,
        "event": event,
        "deliveries": f"{delivery.format(event_id=p)} FROM webhook_endpoint e"
        f" WHERE e.site_id = {p} AND {wants} ORDER BY e.id",
        # PostgreSQL writes the event with its deliveries in one statement...
        "outbox": f"WITH ev AS ({event}), {deliveries_of_ev}",
        # ...and a new session with both: a taken ID writes nothing at all.
        "issue_outbox": f"WITH s AS ({session}), ev AS (INSERT INTO webhook_event (uid,"
        f" site_id, event_type, data, created_at) SELECT {p}, s.site_id, '{EVENT_TYPE}',"
        f" {as_json}, {p} FROM s RETURNING id, site_id), {deliveries_of_ev}",
    }


_SQLITE = _statements("?", "?")
_POSTGRESQL = _statements("%s", "%s::json")
# Simultaneous first clicks of one device queue here until the first commits, so the next one
# finds its session: PostgreSQL has no write turn. A transaction lock ends with the commit.
_LOCK_DEVICE = "SELECT pg_advisory_xact_lock(%s, hashtext(%s))"


@dataclass(frozen=True)
class Found:
    """The device's session a click was counted on."""

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
        self.cursor = connection.cursor()  # of the DBAPI connection: sqlite3's or psycopg's
        self.dialect = dialect
        self.sql = _SQLITE if dialect == "sqlite" else _POSTGRESQL

    def count(
        self, site_id: int, device_id: str, since: datetime, browser: dict[str, Any], now: datetime
    ) -> Found | None:
        """Count the click on the device's newest session if it began after since; return it."""
        if self.dialect == "postgresql":
            # Its own statement: the count's snapshot must be taken once the lock is held.
            self.cursor.execute(_LOCK_DEVICE, (site_id, device_id))
        consent = browser["consent"]
        values = (self._time(now), consent, consent, browser["fbp"], consent, browser["fbc"],
                  consent, browser["ga"], site_id, device_id, self._time(since))  # fmt: skip
        row = self.cursor.execute(self.sql["count"], values).fetchone()
        if row is None:
            return None
        # SQLite keeps SQLAlchemy's text of the time; psycopg gives it back as a naive datetime.
        created = datetime.fromisoformat(row[2]) if isinstance(row[2], str) else row[2]
        return Found(row[0], row[1], created.replace(tzinfo=UTC), row[3])

    def add_event(self, outbox: Outbox) -> None:
        """Write the click's event and one delivery per endpoint that wants it."""
        now = self._time(outbox.now)
        event = (outbox.uid, outbox.site_id, json.dumps(outbox.data), now)
        if self.dialect == "postgresql":
            self.cursor.execute(self.sql["outbox"], (*event, now, now))
            return
        event_id = self.cursor.execute(self.sql["event"], event).fetchone()[0]
        self.cursor.execute(self.sql["deliveries"], (event_id, now, now, outbox.site_id))

    def issue(self, session: dict[str, Any], outbox: Outbox) -> bool:
        """Insert a new session and its outbox rows; False if its correlation ID is taken."""
        values = [session[name] for name in SESSION_COLUMNS]
        for index in _TIMES:
            values[index] = self._time(values[index])
        values[_PARAMS] = json.dumps(values[_PARAMS])
        if self.dialect == "sqlite":
            if self.cursor.execute(self.sql["issue"], values).fetchone() is None:
                return False
            self.add_event(outbox)
            return True
        now = self._time(outbox.now)
        params = (*values, outbox.uid, json.dumps(outbox.data), now, now, now)
        return self.cursor.execute(self.sql["issue_outbox"], params).fetchone() is not None

    def _time(self, moment: datetime) -> Any:
        """Spell a time as its column keeps it: naive UTC, as SQLAlchemy's text on SQLite."""
        naive = moment.astimezone(UTC).replace(tzinfo=None)
        # SQLAlchemy's own text for a DateTime on SQLite, which sorts as a time.
        return naive.isoformat(" ", "microseconds") if self.dialect == "sqlite" else naive


_TIMES = (SESSION_COLUMNS.index("created_at"), SESSION_COLUMNS.index("last_click_at"))
_PARAMS = SESSION_COLUMNS.index("parsed_params")


# Each thread keeps its click connection between clicks, as a server thread keeps its socket:
# checking one out of SQLAlchemy's pool and back cost every click more than its count did.
_held = threading.local()


@contextmanager
def click_writer(engine: Engine) -> Iterator[ClickWriter]:
    """Run one click's transaction on this thread's driver connection; commit it at the end."""
    pooled = _connection(engine)
    try:
        with WriteTurn(pooled, engine):
            yield ClickWriter(pooled.driver_connection, engine.dialect.name)
    except BaseException:
        # Perhaps broken (a restarted database): back to the pool, which drops a dead one.
        del _held.connection
        pooled.close()
        raise


def _connection(engine: Engine) -> PoolProxiedConnection:
    held: tuple[Pool, PoolProxiedConnection] | None = getattr(_held, "connection", None)
    if held is not None:
        pool, pooled = held
        if pool is engine.pool:
            return pooled
        pooled.close()  # of an engine since disposed or replaced
    pooled = engine.raw_connection()
    _held.connection = (engine.pool, pooled)
    return pooled
