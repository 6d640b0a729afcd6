"""The click path: issue or reuse a correlation ID and hand the visitor over to WhatsApp."""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy import Connection, String, bindparam, case, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.sql.elements import ColumnElement

import correlation_id
from widget_server.clicks.cleaning import trim_url
from widget_server.clicks.click_limits import over_limit
from widget_server.clicks.site_cache import CachedSite, site_cache
from widget_server.clicks.write_turn import write_turn
from widget_server.db import db, reason, table
from widget_server.errors import ApiError
from widget_server.metrics import count_click
from widget_server.models import WebSession, isoformat, render_message, utcnow
from widget_server.privacy.ip_policy import apply_ip_policy
from widget_server.webhooks import enqueue

log = logging.getLogger("widget_server.clicks")

# Seven characters of 62 give 3.5e12 IDs: a second collision in a row means something else broke.
ATTEMPTS = 5

# Built once: the click path is hot, and composing statements costs more than running them.
# The device's newest session, through the (site_id, device_id, created_at) index.
NEWEST = (
    select(WebSession.id, WebSession.correlation_id, WebSession.created_at)
    .where(WebSession.site_id == bindparam("site"), WebSession.device_id == bindparam("device"))
    .order_by(WebSession.created_at.desc())
    .limit(1)
)
# PostgreSQL has no write turn: simultaneous first clicks of one device queue on this lock until
# the first commits, so the next one finds its session. A transaction lock ends with the commit.
LOCK_DEVICE = text("SELECT pg_advisory_xact_lock(:site, hashtext(:device))")
SESSIONS = table(WebSession)
_session = SESSIONS.c
BROWSER_IDS = ("fbp", "fbc", "ga")


def _latest(name: str) -> ColumnElement[Any]:
    """The click's browser id, else the one kept; none at all once consent is denied."""
    kept = func.coalesce(bindparam(name, type_=String()), _session[name])
    return case((bindparam("consent") == "denied", None), else_=kept)


# Counted in SQL so that concurrent clicks of one device are all counted. The latest click's
# consent decides for the session: a later "denied" also forgets the browser ids.
COUNT_CLICK = (
    update(SESSIONS)
    .where(_session.id == bindparam("session_id"))
    .values(
        click_count=_session.click_count + 1,
        last_click_at=bindparam("clicked_at"),
        consent=bindparam("consent"),
        **{name: _latest(name) for name in BROWSER_IDS},
    )
    .returning(_session.click_count)
)
# A drawn ID that is already taken inserts nothing and returns no row: the caller draws again,
# with no savepoint and no error to recover from.
INSERT = {
    name: dialect.insert(SESSIONS)
    .on_conflict_do_nothing(index_elements=["correlation_id"])
    .returning(SESSIONS.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


@dataclass(frozen=True)
class Click:
    """What the widget's request says about one click, already cleaned."""

    device_id: str | None = None
    click_url: str | None = None
    referrer: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # read from the page URL before trimming
    user_agent: str | None = None
    ip_address: str | None = None
    preview: bool = False
    consent: str = "unknown"
    fbp: str | None = None
    fbc: str | None = None
    ga: str | None = None

    def browser_ids(self) -> dict:
        """Return the first-party cookie values the click carried."""
        ids = {"fbp": self.fbp, "fbc": self.fbc, "ga": self.ga}
        return {name: value for name, value in ids.items() if value}


@dataclass(frozen=True)
class Handoff:
    """Where the visitor goes next, and under which reference."""

    correlation_id: str | None
    whatsapp_url: str


def record_click(site_key: str, click: Click) -> Handoff:
    """Issue or reuse the device's correlation ID, enqueue `widget.click`, return the handoff."""
    site = known_site(site_key)
    # Before anything is written or logged: the row and the webhook only see what is kept.
    click = replace(click, ip_address=apply_ip_policy(site.ip_policy, click.ip_address))
    if site.private_params:
        click = _without(click, site.private_params.split())
    if click.preview:
        count_click("preview")
        return Handoff(None, whatsapp_url(site, None))
    if over_limit(site, click.ip_address):
        # Still to WhatsApp, only unrecorded: a flood fills neither the tables nor the outbox.
        count_click("limited")
        return Handoff(None, whatsapp_url(site, None))
    try:
        reference, outcome = _write(site, click)
    except Exception as error:  # whatever broke, the visitor must reach WhatsApp
        # Nothing is half-written: the transaction rolled back. The chat opens without a reference.
        count_click("failed_over")
        if isinstance(error, SQLAlchemyError):
            log.warning(
                "click on %s not recorded, sent on without a reference: %s", site.key, reason(error)
            )
        else:
            log.exception("click on %s not recorded, sent on without a reference", site.key)
        return Handoff(None, whatsapp_url(site, None))
    count_click(outcome)
    return Handoff(reference, whatsapp_url(site, reference))


def _without(click: Click, names: list[str]) -> Click:
    """Drop the site's own private parameters from the click's URLs, already trimmed of the rest."""
    url, ref = click.click_url, click.referrer
    return replace(
        click,
        click_url=trim_url(url, names) if url else url,
        referrer=trim_url(ref, names) if ref else ref,
    )


def known_site(site_key: str) -> CachedSite:
    """Return the site of a click link, or raise the 404 (or, unknown and no database, a 503)."""
    try:
        site = site_cache().get(site_key)
    except SQLAlchemyError as error:
        log.warning(
            "site %s unknown while the database is unavailable: %s", site_key, reason(error)
        )
        raise ApiError(503, "database unavailable and this site is not known yet") from None
    if site is None:
        raise ApiError(404, "unknown site")
    return site


def _write(site: CachedSite, click: Click) -> tuple[str, str]:
    now, params = utcnow(), click.params
    window = timedelta(hours=site.reuse_hours)
    # One Core connection for the whole click: the ORM session would only add bookkeeping.
    # On SQLite every other click waits for this turn, so the lookup below sees every session
    # committed before it and the reuse decision cannot race: keep any other work out of it.
    with db.engine.connect() as connection, write_turn(connection):  # commits all together
        found = _newest(connection, site.id, click.device_id)
        click_count: int | None = None
        if found is not None and now - found.created_at < window:
            values = {"session_id": found.session_id, "clicked_at": now, "consent": click.consent}
            values.update((name, getattr(click, name)) for name in BROWSER_IDS)
            # None if the session was purged since the lookup.
            click_count = connection.execute(COUNT_CLICK, values).scalar()
        if found is None or click_count is None:
            reference = _issue(connection, site.id, click, params, now)
            created_at, click_count, outcome = now, 1, "stored"
        else:
            reference, created_at, outcome = found.correlation_id, found.created_at, "reused"
        data = _event(reference, click, params, click_count, created_at, now)
        enqueue(site.id, "widget.click", data, connection)
    return reference, outcome


def _newest(connection: Connection, site_id: int, device_id: str | None) -> "_Found | None":
    if device_id is None:
        return None  # no device, nothing to reuse
    values = {"site": site_id, "device": device_id}
    if connection.dialect.name == "postgresql":
        connection.execute(LOCK_DEVICE, values)
    row = connection.execute(NEWEST, values).first()
    return None if row is None else _Found(*row)


@dataclass(frozen=True)
class _Found:
    session_id: int
    correlation_id: str
    created_at: datetime


def whatsapp_url(site: CachedSite, reference: str | None) -> str:
    """Build the wa.me link; without a reference it opens the chat with no pre-filled text."""
    base = f"{site.whatsapp_base_url.rstrip('/')}/{site.whatsapp_number}"
    if reference is None:
        return base
    return f"{base}?text={quote(render_message(site.message_template, reference), safe='')}"


def _issue(
    connection: Connection, site_id: int, click: Click, params: dict[str, str], now: datetime
) -> str:
    insert = INSERT[connection.dialect.name]
    row = {
        "site_id": site_id,
        "device_id": click.device_id,
        "created_at": now,
        "last_click_at": now,
        "click_count": 1,
        "click_url": click.click_url,
        "referrer": click.referrer,
        "parsed_params": params,
        "ip_address": click.ip_address,
        "user_agent": click.user_agent,
        "consent": click.consent,
        **{name: getattr(click, name) for name in BROWSER_IDS},
    }
    for _ in range(ATTEMPTS):
        reference = correlation_id.new_id()
        if connection.execute(insert, {**row, "correlation_id": reference}).first() is not None:
            return reference
    raise RuntimeError(f"no free correlation ID after {ATTEMPTS} draws")


def _event(
    reference: str,
    click: Click,
    params: dict[str, str],
    click_count: int,
    created_at: datetime,
    now: datetime,
) -> dict[str, Any]:
    return {
        "correlation_id": reference,
        "device_id": click.device_id,
        "click_url": click.click_url,
        "parsed_params": params,
        "user_agent": click.user_agent,
        "ip_address": click.ip_address,
        "referrer": click.referrer,
        "click_count": click_count,
        "created_at": isoformat(created_at),
        "clicked_at": isoformat(now),
        "consent": click.consent,
        "browser_ids": click.browser_ids(),
    }
