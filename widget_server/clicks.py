"""The click path: issue or reuse a correlation ID and hand the visitor over to WhatsApp."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

import correlation_id
from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.models import Site, WebSession, isoformat, utcnow
from widget_server.params import attribution_params
from widget_server.webhooks import enqueue

# Seven characters of 62 give 3.5e12 IDs: a second collision in a row means something else broke.
ATTEMPTS = 5


@dataclass(frozen=True)
class Click:
    """What the widget's request says about one click, already cleaned."""

    device_id: str | None = None
    click_url: str | None = None
    referrer: str | None = None
    user_agent: str | None = None
    ip_address: str | None = None
    preview: bool = False


@dataclass(frozen=True)
class Handoff:
    """Where the visitor goes next, and under which reference."""

    correlation_id: str | None
    whatsapp_url: str


def record_click(site_key: str, click: Click) -> Handoff:
    """Issue or reuse the device's correlation ID, enqueue `widget.click`, return the handoff."""
    site, latest = _site_and_latest_session(site_key, click.device_id)
    if click.preview:
        return Handoff(None, whatsapp_url(site, None))
    now = utcnow()
    params = attribution_params(click.click_url)
    if latest is not None and now - latest.created_at < timedelta(hours=site.reuse_hours):
        session, click_count = latest, _count_click(latest, now)
    else:
        session, click_count = _issue(site, click, params, now), 1
    handoff = Handoff(session.correlation_id, whatsapp_url(site, session.correlation_id))
    enqueue(site.id, "widget.click", _event(session, click, params, click_count, now))
    db.session.commit()
    return handoff


def whatsapp_url(site: Site, reference: str | None) -> str:
    """Build the wa.me link; without a reference it opens the chat with no pre-filled text."""
    base = f"{site.whatsapp_base_url.rstrip('/')}/{site.whatsapp_number}"
    if reference is None:
        return base
    return f"{base}?text={quote(site.message_for(reference), safe='')}"


def _site_and_latest_session(site_key: str, device_id: str | None):
    # One query: the site and, through the (site_id, device_id, created_at) index, the
    # device's newest session, whose age decides reuse.
    query = select(Site).where(Site.key == site_key)
    if device_id is not None:
        query = (
            query.add_columns(WebSession)
            .outerjoin(
                WebSession, (WebSession.site_id == Site.id) & (WebSession.device_id == device_id)
            )
            .order_by(WebSession.created_at.desc())
            .limit(1)
        )
    found = db.session.execute(query).first()
    if found is None:
        raise ApiError(404, "unknown site")
    return found[0], (found[1] if device_id is not None else None)


def _count_click(session: WebSession, now) -> int:
    # Counted in SQL so that concurrent clicks of one device are all counted.
    statement = (
        update(WebSession)
        .where(WebSession.id == session.id)
        .values(click_count=WebSession.click_count + 1, last_click_at=now)
        .returning(WebSession.click_count)
        .execution_options(synchronize_session=False)
    )
    return db.session.execute(statement).scalar_one()


def _issue(site: Site, click: Click, params: dict, now) -> WebSession:
    for _ in range(ATTEMPTS):
        session = WebSession(
            site_id=site.id,
            correlation_id=correlation_id.new_id(),
            device_id=click.device_id,
            created_at=now,
            last_click_at=now,
            click_count=1,
            click_url=click.click_url,
            referrer=click.referrer,
            parsed_params=params,
            ip_address=click.ip_address,
            user_agent=click.user_agent,
        )
        try:
            with db.session.begin_nested():
                db.session.add(session)
        except IntegrityError:
            continue  # the savepoint undid only this insert: draw again
        return session
    raise RuntimeError(f"no free correlation ID after {ATTEMPTS} draws")


def _event(session: WebSession, click: Click, params: dict, click_count: int, now) -> dict:
    return {
        "correlation_id": session.correlation_id,
        "device_id": click.device_id,
        "click_url": click.click_url,
        "parsed_params": params,
        "user_agent": click.user_agent,
        "ip_address": click.ip_address,
        "referrer": click.referrer,
        "click_count": click_count,
        "created_at": isoformat(session.created_at),
        "clicked_at": isoformat(now),
    }
