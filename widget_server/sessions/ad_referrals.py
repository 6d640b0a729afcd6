"""Record a conversation that began at a click-to-WhatsApp ad: a row of its own, correlated."""

import sqlalchemy as sa

import correlation_id
from widget_server.db import db
from widget_server.models import WebSession, utcnow
from widget_server.sessions.correlation import event_data
from widget_server.webhooks import enqueue

# What the row keeps of Meta's `referral`: the ids an ad platform attributes with.
KEPT = ("ctwa_clid", "source_id", "source_type", "source_url")
ATTEMPTS = 5


def record_referral(
    site_id: int,
    whatsapp_id: str,
    message_id: str,
    profile_name: str | None,
    referral: dict,
    whatsapp_phone: str | None = None,
) -> WebSession:
    """Create the ad's row once per message id and announce the conversation; return the row."""
    existing = _by_message(site_id, message_id)
    if existing is not None:
        return existing
    now = utcnow()
    for _ in range(ATTEMPTS):
        row = WebSession(
            site_id=site_id,
            correlation_id=correlation_id.new_id(),
            created_at=now,
            last_click_at=now,
            click_url=referral.get("source_url"),
            parsed_params={key: referral[key] for key in KEPT if referral.get(key)},
            correlated_at=now,
            whatsapp_id=whatsapp_id,
            whatsapp_phone=whatsapp_phone,
            message_id=message_id,
            profile_name=profile_name,
        )
        db.session.add(row)
        try:
            db.session.flush()
        except sa.exc.IntegrityError:
            # Either the same message raced us (return its row) or the drawn ID was taken.
            db.session.rollback()
            existing = _by_message(site_id, message_id)
            if existing is not None:
                return existing
            continue
        enqueue(site_id, "conversation.correlated", event_data(row))
        db.session.commit()
        return row
    raise RuntimeError(f"no free correlation ID after {ATTEMPTS} draws")


def _by_message(site_id: int, message_id: str) -> WebSession | None:
    return db.session.scalars(
        sa.select(WebSession).where(
            WebSession.site_id == site_id, WebSession.message_id == message_id
        )
    ).first()
