"""Helpers of the sessions tests: refused second senders, stored as the endpoint stores them."""

from datetime import datetime

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import CorrelationConflict, Site


def add_conflict(
    app, site_key: str, reference: str, whatsapp_id: str, created_at: datetime, message_id="wamid.X"
) -> None:
    """Record that whatsapp_id was refused the site's reference at created_at."""
    with app.app_context():
        site_id = db.session.scalars(sa.select(Site.id).filter_by(key=site_key)).one()
        db.session.add(
            CorrelationConflict(
                site_id=site_id,
                correlation_id=reference,
                whatsapp_id=whatsapp_id,
                message_id=message_id,
                created_at=created_at,
            )
        )
        db.session.commit()
