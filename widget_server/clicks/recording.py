"""The click path: issue or reuse a correlation ID and hand the visitor over to WhatsApp."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import String, bindparam, case, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

import correlation_id
from widget_server.clicks.cleaning import attribution_params
from widget_server.clicks.write_turn import write_turn
from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.models import Site, WebSession, isoformat, utcnow
from widget_server.webhooks import enqueue

# Seven characters of 62 give 3.5e12 IDs: a second collision in a row means something else broke.
ATTEMPTS = 5

# Built once: the click path is hot, and composing statements costs more than running them.
# The site and, through the (site_id, device_id, created_at) index, the device's newest session.
LOOKUP = (
    select(
        Site.id.label("site_id"),
        Site.whatsapp_number,
        Site.whatsapp_base_url,
        Site.message_template,
        Site.reuse_hours,
        WebSession.id.label("session_id"),
        WebSession.correlation_id,
        WebSession.created_at,
    )
    .outerjoin(
        WebSession,
        (WebSession.site_id == Site.id) & (WebSession.device_id == bindparam("device")),
    )
    .where(Site.key == bindparam("key"))
    .order_by(WebSession.created_at.desc())
    .limit(1)
)
_session = WebSession.__table__.c
BROWSER_IDS = ("fbp", "fbc", "ga")


def _latest(name: str):
    """The click's browser id, else the one kept; none at all once consent is denied."""
    kept = func.coalesce(bindparam(name, type_=String()), _session[name])
    return case((bindparam("consent") == "denied", None), else_=kept)


# Counted in SQL so that concurrent clicks of one device are all counted. The latest click's
# consent decides for the session: a later "denied" also forgets the browser ids.
COUNT_CLICK = (
    update(WebSession.__table__)
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
    name: dialect.insert(WebSession.__table__)
    .on_conflict_do_nothing(index_elements=["correlation_id"])
    .returning(WebSession.__table__.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}


@dataclass(frozen=True)
class Click:
    """What the widget's request says about one click, already cleaned."""

    device_id: str | None = None
    click_url: str | None = None
    referrer: str | None = None
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
    # One Core connection for the whole click: the ORM session would only add bookkeeping.
    with db.engine.connect() as connection:
        found = connection.execute(LOOKUP, {"key": site_key, "device": click.device_id}).first()
        if found is None:
            raise ApiError(404, "unknown site")
        if click.preview:
            return Handoff(None, whatsapp_url(found, None))
        reference = _write(connection, found, click)
    return Handoff(reference, whatsapp_url(found, reference))


def _write(connection, found, click: Click) -> str:
    now, params = utcnow(), attribution_params(click.click_url)
    window = timedelta(hours=found.reuse_hours)
    reuse = found.session_id is not None and now - found.created_at < window
    # On SQLite every other writer waits for this turn: keep any other work out of it.
    with write_turn(connection):  # commits the session row and its outbox rows together
        if reuse:
            reference, created_at = found.correlation_id, found.created_at
            values = {"session_id": found.session_id, "clicked_at": now, "consent": click.consent}
            values.update((name, getattr(click, name)) for name in BROWSER_IDS)
            click_count = connection.execute(COUNT_CLICK, values).scalar()
        else:
            reference = _issue(connection, found.site_id, click, params, now)
            created_at, click_count = now, 1
        data = _event(reference, click, params, click_count, created_at, now)
        enqueue(found.site_id, "widget.click", data, connection)
    return reference


def whatsapp_url(site, reference: str | None) -> str:
    """Build the wa.me link; without a reference it opens the chat with no pre-filled text."""
    base = f"{site.whatsapp_base_url.rstrip('/')}/{site.whatsapp_number}"
    if reference is None:
        return base
    return f"{base}?text={quote(Site.message_for(site, reference), safe='')}"


def _issue(connection, site_id: int, click: Click, params: dict, now) -> str:
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


def _event(reference, click: Click, params: dict, click_count: int, created_at, now) -> dict:
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
