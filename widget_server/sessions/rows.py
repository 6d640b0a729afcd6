"""Attribution rows: newest-first keyset pages, one row, and the lead type."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, literal, select, tuple_, update

from widget_server.db import changed, db
from widget_server.errors import ApiError
from widget_server.models import WebSession
from widget_server.sessions import rollup
from widget_server.webhooks import enqueue

Position = tuple[datetime, int]


@dataclass(frozen=True)
class Filters:
    """Which rows a listing shows: `since <= created_at < until`, and the correlated state."""

    since: datetime | None = None
    until: datetime | None = None
    correlated: bool | None = None


def page(
    site_id: int, filters: Filters, limit: int, after: Position | None = None
) -> tuple[list[WebSession], Position | None]:
    """Return up to limit rows older than after, and the position to continue from, if any."""
    stmt = select(WebSession).where(WebSession.site_id == site_id)
    if filters.since is not None:
        stmt = stmt.where(WebSession.created_at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(WebSession.created_at < filters.until)
    if filters.correlated is not None:
        linked = WebSession.correlated_at.is_not(None)
        stmt = stmt.where(linked if filters.correlated else ~linked)
    if after is not None:
        # A row comparison walks the (site_id, created_at, id) index: as fast deep as on top.
        moment = literal(after[0], WebSession.created_at.type)  # stored naive UTC, bound so too
        stmt = stmt.where(tuple_(WebSession.created_at, WebSession.id) < tuple_(moment, after[1]))
    stmt = stmt.order_by(WebSession.created_at.desc(), WebSession.id.desc()).limit(limit + 1)
    rows = list(db.session.execute(stmt).scalars())
    if len(rows) <= limit:
        return rows, None
    last = rows[limit - 1]
    return rows[:limit], (last.created_at, last.id)


def one(site_id: int, correlation_id: str, retyped_after: datetime | None = None) -> WebSession:
    """Return the site's row for a reference as written, else its one case-insensitive match.

    With retyped_after, only sessions created since then are matched in another case.
    """
    exact = db.session.execute(
        select(WebSession).filter_by(site_id=site_id, correlation_id=correlation_id)
    ).scalar_one_or_none()
    if exact is not None:
        return exact
    # Visitors retype IDs; accept a change of case only when it points at a single session.
    query = select(WebSession).where(
        WebSession.site_id == site_id,
        func.lower(WebSession.correlation_id) == correlation_id.lower(),
    )
    if retyped_after is not None:
        query = query.where(WebSession.created_at >= retyped_after)
    found = db.session.execute(query.limit(2)).scalars().all()
    if len(found) == 1:
        return found[0]
    if found:
        raise ApiError(
            404, f"correlation_id {correlation_id} matches several sessions in another case"
        )
    raise ApiError(404, f"no attribution row with correlation_id {correlation_id}")


def set_lead_type(
    site_id: int,
    correlation_id: str,
    lead_type: str | None,
    value: float | None = None,
    currency: str | None = None,
) -> WebSession:
    """Set a row's lead type (with its value) and announce `lead.updated` once per change."""
    while True:
        row = one(site_id, correlation_id)
        previous = row.lead_type
        if previous == lead_type:
            return row
        # Compare-and-set: of two concurrent changes from the same value, one announces it.
        swap = (
            update(WebSession)
            .where(WebSession.id == row.id, WebSession.lead_type.is_not_distinct_from(previous))
            .values(lead_type=lead_type, lead_value=value, lead_currency=currency)
            .execution_options(synchronize_session=False)
        )
        if changed(db.session.execute(swap)):
            db.session.refresh(row)
            rollup.forget(site_id, row.created_at)
            data = {
                **row.event_data(),
                "previous_lead_type": previous,
                "value": row.lead_value,
                "currency": row.lead_currency,
            }
            enqueue(site_id, "lead.updated", data)
            db.session.commit()
            return row
        db.session.rollback()
