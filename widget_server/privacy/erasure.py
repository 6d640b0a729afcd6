"""Erase people on request: their sessions, and every outbox body and delivery mentioning them."""

from collections.abc import Sequence

import sqlalchemy as sa

from widget_server.db import changed, db, table
from widget_server.models import CorrelationConflict, WebSession, isoformat, utcnow
from widget_server.privacy.inventory import IDENTITIES, MENTIONS
from widget_server.privacy.mentions import mentioning
from widget_server.sessions import rollup
from widget_server.sessions.retention import references_to
from widget_server.webhooks import enqueue
from widget_server.webhooks.tables import ERASED, WebhookEvent


def sessions_of(site_id: int, identity: str, value: str) -> sa.Select:
    """Select the site's sessions named by an identity (correlation_id, device_id, whatsapp_id).

    A WhatsApp id also names the other sessions of the devices its conversations came from:
    the person's earlier and later clicks, which carry the same device id.
    """
    named = sa.or_(*(column == value for column in IDENTITIES[identity]))
    if identity == "whatsapp_id":
        devices = sa.select(WebSession.device_id).where(
            WebSession.site_id == site_id, named, WebSession.device_id.is_not(None)
        )
        named = sa.or_(named, WebSession.device_id.in_(devices.scalar_subquery()))
    return sa.select(WebSession).where(WebSession.site_id == site_id, named).order_by(WebSession.id)


def erase(site_id: int, identity: str, value: str) -> list[str]:
    """Erase every session of the site named by identity, in one transaction; return their IDs."""
    selected = sessions_of(site_id, identity, value)
    # Take the rows' write locks first (the whole database's on SQLite): a click or a
    # correlation of these sessions now waits, and whatever it wrote before is seen below.
    locked = (
        sa.update(WebSession)
        .where(WebSession.id.in_(selected.with_only_columns(WebSession.id).scalar_subquery()))
        .values(click_count=WebSession.click_count)
        .execution_options(synchronize_session=False)
    )
    asked = [value] if identity == "whatsapp_id" else []
    if not changed(db.session.execute(locked)):
        # Someone refused as a second sender of another's reference has no session, only this.
        db.session.execute(sa.delete(CorrelationConflict).where(_conflicts(site_id, [], asked)))
        db.session.commit()
        return []
    found = db.session.scalars(selected.execution_options(populate_existing=True)).all()
    references = [session.correlation_id for session in found]
    senders = asked + [
        number for session in found for number in (session.whatsapp_id, session.whatsapp_phone)
    ]
    db.session.execute(
        sa.delete(CorrelationConflict).where(_conflicts(site_id, references, senders))
    )
    _redact(site_id, [getattr(session, name) for session in found for name in MENTIONS])
    # The funnel counts those days again without them, and its device sketch forgets them.
    days = {session.created_at.date(): session.created_at for session in found}
    for moment in days.values():
        rollup.forget(site_id, moment)
    db.session.execute(
        sa.delete(WebSession)
        .where(WebSession.id.in_([session.id for session in found]))
        .execution_options(synchronize_session=False)
    )
    erased_at = isoformat(utcnow())
    for reference in references:
        # Ids only: the site's own systems know the person by the correlation ID.
        enqueue(site_id, "session.erased", {"correlation_id": reference, "erased_at": erased_at})
    db.session.commit()
    return references


def conflicts_of(site_id: int, sessions: list[WebSession], asked: list[str]) -> sa.Select:
    """Select the refused correlations about sessions, or by the WhatsApp ids asked for."""
    references = [session.correlation_id for session in sessions]
    senders = asked + [
        number for session in sessions for number in (session.whatsapp_id, session.whatsapp_phone)
    ]
    return (
        sa.select(CorrelationConflict)
        .where(_conflicts(site_id, references, senders))
        .order_by(CorrelationConflict.id)
    )


def _conflicts(
    site_id: int, references: list[str], senders: Sequence[str | None]
) -> sa.ColumnElement[bool]:
    """The site's refused correlations of these references or by these senders."""
    numbers = [sender for sender in senders if sender]
    return sa.and_(
        CorrelationConflict.site_id == site_id,
        sa.or_(
            CorrelationConflict.correlation_id.in_(references),
            CorrelationConflict.whatsapp_id.in_(numbers),
        ),
    )


def _redact(site_id: int, values: list[str]) -> None:
    """Blank every event body mentioning values, and make sure none of them is sent again."""
    events = db.session.scalars(mentioning(site_id, values)).all()
    if not events:
        return
    for event in events:
        reference = event.data.get("correlation_id") if isinstance(event.data, dict) else None
        event.data = {"correlation_id": reference, "erased": True}
    # Every delivery of them, webhook or conversion, is marked erased: neither a worker nor
    # enable or redeliver sends it again, even one a worker holds right now (its claim is
    # cleared, so that worker's outcome is not recorded). A receiver's answer may echo the
    # body: cleared too.
    event_ids = [event.id for event in events]
    for column in references_to(table(WebhookEvent)):
        target = column.table
        cleared: dict[str, str | None] = {"state": ERASED}
        cleared.update(claimed_by=None, claimed_until=None, last_error=None)
        db.session.execute(
            sa.update(target)
            .where(column.in_(event_ids))
            .values({name: value for name, value in cleared.items() if name in target.c})
        )
    db.session.flush()
