"""Link a WhatsApp conversation to the web session whose correlation ID it carried."""

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import update

from widget_server.db import changed, db
from widget_server.errors import ApiError
from widget_server.metrics import count_correlation
from widget_server.models import CorrelationConflict, Site, WebSession, utcnow
from widget_server.sessions import rollup
from widget_server.sessions.rows import one
from widget_server.webhooks import enqueue

log = logging.getLogger("widget_server.sessions")


def correlate(
    site_id: int,
    reference: str,
    whatsapp_id: str,
    message_id: str,
    profile_name: str | None,
    whatsapp_phone: str | None = None,
) -> WebSession:
    """Link the session once; its own sender's repeats get the row, anyone else a 409.

    whatsapp_id is the user id (a BSUID, or the phone number in payloads without one);
    whatsapp_phone the phone number when Meta sent it.
    """
    site = db.session.get_one(Site, site_id)  # the key's site, already loaded by auth
    now = utcnow()
    # A retyped case is a convenience for a fresh click, not a way to widen a guess.
    session = one(site_id, reference, retyped_after=now - timedelta(hours=site.reuse_hours))
    if session.correlated_at is not None:
        return _already_linked(session, whatsapp_id, message_id)
    window = current_app.config["LINK_WINDOW_HOURS"]
    if now - session.last_click_at > timedelta(hours=window):
        count_correlation("expired")
        raise ApiError(
            404, f"correlation_id {reference} expired: no click in the last {window:g} hours"
        )
    # Only the request whose UPDATE flips correlated_at from NULL announces the conversation.
    link = (
        update(WebSession)
        .where(WebSession.id == session.id, WebSession.correlated_at.is_(None))
        .values(
            correlated_at=now,
            whatsapp_id=whatsapp_id,
            whatsapp_phone=whatsapp_phone,
            message_id=message_id,
            profile_name=profile_name,
        )
        .execution_options(synchronize_session=False)
    )
    if not changed(db.session.execute(link)):
        db.session.rollback()
        return _already_linked(one(site_id, session.correlation_id), whatsapp_id, message_id)
    db.session.refresh(session)
    rollup.forget(site_id, session.created_at)
    enqueue(site_id, "conversation.correlated", event_data(session))
    db.session.commit()
    count_correlation("linked")
    return session


def _already_linked(session: WebSession, whatsapp_id: str, message_id: str) -> WebSession:
    if session.whatsapp_id == whatsapp_id:
        count_correlation("repeated")
        return session
    # Someone else holds the reference: a leaked or guessed one must not hand over the visit.
    db.session.add(
        CorrelationConflict(
            site_id=session.site_id,
            correlation_id=session.correlation_id,
            whatsapp_id=whatsapp_id,
            message_id=message_id,
        )
    )
    db.session.commit()
    count_correlation("refused")
    log.warning("refused a second WhatsApp sender of %s on site %s", session.correlation_id,
                session.site_id)  # fmt: skip
    raise ApiError(
        409, f"correlation_id {session.correlation_id} is linked to another WhatsApp sender"
    )


def event_data(session: WebSession) -> dict:
    """Build the `conversation.correlated` payload: the row, the conversation, consent and ids."""
    return session.event_data()
