"""Link a WhatsApp conversation to the web session whose correlation ID it carried."""

from sqlalchemy import update

from widget_server.db import changed, db
from widget_server.models import WebSession, utcnow
from widget_server.sessions import rollup
from widget_server.sessions.rows import one
from widget_server.webhooks import enqueue


def correlate(
    site_id: int,
    reference: str,
    whatsapp_id: str,
    message_id: str,
    profile_name: str | None,
    whatsapp_phone: str | None = None,
) -> WebSession:
    """Link the session once; repeats and later messages get the row as it stands.

    whatsapp_id is the user id (a BSUID, or the phone number in payloads without one);
    whatsapp_phone the phone number when Meta sent it.
    """
    session = one(site_id, reference)
    if session.correlated_at is not None:
        return session
    # Only the request whose UPDATE flips correlated_at from NULL announces the conversation.
    link = (
        update(WebSession)
        .where(WebSession.id == session.id, WebSession.correlated_at.is_(None))
        .values(
            correlated_at=utcnow(),
            whatsapp_id=whatsapp_id,
            whatsapp_phone=whatsapp_phone,
            message_id=message_id,
            profile_name=profile_name,
        )
        .execution_options(synchronize_session=False)
    )
    if not changed(db.session.execute(link)):
        db.session.rollback()
        return one(site_id, reference)
    db.session.refresh(session)
    rollup.forget(site_id, session.created_at)
    enqueue(site_id, "conversation.correlated", event_data(session))
    db.session.commit()
    return session


def event_data(session: WebSession) -> dict:
    """Build the `conversation.correlated` payload: the row, the conversation, consent and ids."""
    return session.event_data()
