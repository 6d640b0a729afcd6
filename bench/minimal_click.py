"""The physical limit of a durable click on this stack: the raw driver doing the click's writes.

Served by the same gunicorn as the real click: the same lookup of the device's newest session,
the session insert (or its count), the event row and one delivery per endpoint, in one
transaction with one commit, then the same 302. No validation, no limits, no ORM, no cache: what
is left is Flask, the driver and the database. SQLite writers take turns as cheaply as this stack
allows (a thread lock and an flock, handed over at once), not through SQLite's busy handler,
whose sleeps would make the limit lower than it is. Env: MINIMAL_DATABASE_URL (an SQLAlchemy URL
of a migrated database), MINIMAL_SITE_ID.
"""

import contextlib
import fcntl
import gc
import json
import os
import secrets
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, urlsplit

from flask import Flask, redirect, request

NEWEST = (
    "SELECT id, correlation_id, created_at FROM web_session"
    " WHERE site_id = {p} AND device_id = {p} ORDER BY created_at DESC LIMIT 1"
)
COUNT = "UPDATE web_session SET click_count = click_count + 1, last_click_at = {p} WHERE id = {p}"
SESSION = (
    "INSERT INTO web_session (site_id, correlation_id, device_id, created_at, last_click_at,"
    " click_count, click_url, parsed_params, ip_address, user_agent, consent)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, 1, {p}, {p}, {p}, {p}, 'unknown')"
)
EVENT = (
    "INSERT INTO webhook_event (uid, site_id, event_type, data, created_at)"
    " VALUES ({p}, {p}, 'widget.click', {p}, {p}) RETURNING id"
)
DELIVERIES = (
    "INSERT INTO webhook_delivery (event_id, endpoint_id, state, attempts, next_attempt_at,"
    " created_at) SELECT {p}, id, 'pending', 0, {p}, {p} FROM webhook_endpoint"
    " WHERE site_id = {p} AND disabled_at IS NULL"
)
WINDOW = timedelta(hours=12)


def app() -> Flask:
    """Build the minimal click app on MINIMAL_DATABASE_URL."""
    url = os.environ["MINIMAL_DATABASE_URL"]
    site_id = int(os.environ["MINIMAL_SITE_ID"])
    local = threading.local()
    turn: contextlib.AbstractContextManager = contextlib.nullcontext()
    if url.startswith("sqlite"):
        path, p = url.split("///", 1)[1], "?"
        turn = _writer_turn(path)

        def connect():
            connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=10000")
            return connection

        begin = "BEGIN IMMEDIATE"  # take the write lock before the lookup, as the real click does
    else:
        import psycopg

        dsn, p = url.replace("postgresql+psycopg://", "postgresql://"), "%s"

        def connect():
            return psycopg.connect(dsn)

        begin = None
    sql = {name: text.format(p=p) for name, text in (("newest", NEWEST), ("count", COUNT),
           ("session", SESSION), ("event", EVENT), ("deliveries", DELIVERIES))}  # fmt: skip
    flask_app = Flask("minimal")
    gc.freeze()  # as create_app does: the limit gets every advantage the real click has

    @flask_app.get("/c/<site_key>")
    def click(site_key):
        connection = getattr(local, "connection", None) or connect()
        local.connection = connection
        try:
            with turn:
                reference = _write(connection, sql, begin, site_id)
        except Exception:
            connection.rollback()
            raise
        text = quote(f"Reference: {reference} (Please send this reference number)", safe="")
        response = redirect(f"https://wa.me/15551234567?text={text}", 302)
        response.headers["Cache-Control"] = "no-store"
        return response

    return flask_app


class _writer_turn:
    """One SQLite writer at a time across threads and processes, woken at once, never polled."""

    def __init__(self, path: str):
        self.path, self.threads, self.descriptor = path, threading.Lock(), None

    def __enter__(self):
        self.threads.acquire()
        if self.descriptor is None:  # opened in the worker, after gunicorn's fork
            self.descriptor = os.open(f"{self.path}-minimal.lock", os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(self.descriptor, fcntl.LOCK_EX)

    def __exit__(self, *exc):
        fcntl.flock(self.descriptor, fcntl.LOCK_UN)
        self.threads.release()


def _naive(moment) -> datetime:
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=None)


def _write(connection, sql: dict, begin: str | None, site_id: int) -> str:
    device, page = request.args.get("device_id"), request.args.get("url")
    agent = request.headers.get("User-Agent")
    params = {k: v for k, v in parse_qsl(urlsplit(page or "").query) if k.startswith("utm_")}
    now = datetime.now(UTC).replace(tzinfo=None)
    cursor = connection.cursor()
    if begin:
        cursor.execute(begin)
    else:  # PostgreSQL: the same device lock the real click takes
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (site_id, device))
    cursor.execute(sql["newest"], (site_id, device))
    found = cursor.fetchone()
    if found and now - _naive(found[2]) < WINDOW:
        reference = found[1]
        cursor.execute(sql["count"], (now, found[0]))
    else:
        reference = "O-" + secrets.token_urlsafe(6)[:7]
        row = (site_id, reference, device, now, now, page, json.dumps(params),
               request.remote_addr, agent)  # fmt: skip
        cursor.execute(sql["session"], row)
    data = {"correlation_id": reference, "device_id": device, "click_url": page,
            "parsed_params": params, "user_agent": agent}  # fmt: skip
    uid = "msg_" + secrets.token_hex(12)
    cursor.execute(sql["event"], (uid, site_id, json.dumps(data), now))
    event_id = cursor.fetchone()[0]
    cursor.execute(sql["deliveries"], (event_id, now, now, site_id))
    if begin:
        cursor.execute("COMMIT")
    else:
        connection.commit()
    return reference
