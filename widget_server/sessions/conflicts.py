"""The refused second senders of a site's references, as the site owner sees them."""

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import CorrelationConflict

NEWEST_FIRST = (CorrelationConflict.created_at.desc(), CorrelationConflict.id.desc())


def recent(
    site_id: int, limit: int, since: datetime | None = None, reference: str | None = None
) -> list[CorrelationConflict]:
    """Return up to limit of a site's refused senders, newest first: since a time, of a session."""
    query = sa.select(CorrelationConflict).where(CorrelationConflict.site_id == site_id)
    if since is not None:
        query = query.where(CorrelationConflict.created_at >= since)
    if reference is not None:
        query = query.where(CorrelationConflict.correlation_id == reference)
    return list(db.session.scalars(query.order_by(*NEWEST_FIRST).limit(limit)))


def counts(site_id: int, references: Iterable[str]) -> dict[str, int]:
    """Count the site's refused senders of each of these references; one without any is absent."""
    wanted = list(references)
    if not wanted:
        return {}
    query = (
        sa.select(CorrelationConflict.correlation_id, sa.func.count())
        .where(
            CorrelationConflict.site_id == site_id,
            CorrelationConflict.correlation_id.in_(wanted),
        )
        .group_by(CorrelationConflict.correlation_id)
    )
    return {reference: number for reference, number in db.session.execute(query)}
