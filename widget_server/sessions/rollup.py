"""Daily rollups of a site's sessions: counts per campaign, landing page and referrer, and a
sketch of the devices, computed once per settled day and forgotten when one of its rows changes."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

import datasketches
import sqlalchemy as sa
from sqlalchemy import Date, Float, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from widget_server.db import Model, db, table
from widget_server.models import UTCDateTime, WebSession, utcnow

SKETCH_BITS = (
    12  # 4 KiB per day, about 1.6% error once a day has more devices than it holds exactly
)
WON = "won"
MEASURES = ("sessions", "clicks", "conversations", "leads", "won", "value")
DIMENSIONS = ("source", "medium", "campaign", "landing", "referrer")


class FunnelDay(Model):
    """A settled day of a site that has its cells: the sketch of its devices."""

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    devices: Mapped[bytes] = mapped_column(LargeBinary)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FunnelCell(Model):
    """The counts of one day's sessions that share a source, medium, campaign, page and referrer."""

    __table_args__ = (Index("ix_funnel_cell_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    day: Mapped[date] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(200))
    medium: Mapped[str] = mapped_column(String(200))
    campaign: Mapped[str] = mapped_column(String(200))
    landing: Mapped[str] = mapped_column(String(200))
    referrer: Mapped[str] = mapped_column(String(200))
    sessions: Mapped[int]
    clicks: Mapped[int]
    conversations: Mapped[int]
    leads: Mapped[int]
    won: Mapped[int]
    value: Mapped[float] = mapped_column(Float)


@dataclass
class Tally:
    """One day's cells, keyed by their dimensions, and the sketch of its devices."""

    cells: dict[tuple, Counter]
    devices: datasketches.hll_sketch


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC start of day and of the next one."""
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def tally(connection: sa.Connection, site_id: int, day: date) -> Tally:
    """Count one day of a site's sessions from its rows."""
    start, end = day_bounds(day)
    columns = table(WebSession).c
    rows = connection.execute(
        sa.select(
            columns.correlation_id, columns.device_id, columns.click_count, columns.correlated_at,
            columns.lead_type, columns.parsed_params, columns.click_url, columns.referrer,
        ).where(columns.site_id == site_id, columns.created_at >= start, columns.created_at < end)
    )  # fmt: skip
    cells: dict[tuple[str, ...], Counter[str]] = {}
    devices = datasketches.hll_sketch(SKETCH_BITS)
    for row in rows:
        # A session without a device id is a device of its own.
        devices.update(row.device_id if row.device_id is not None else "~" + row.correlation_id)
        params = row.parsed_params or {}
        key = (
            _label(params.get("utm_source")),
            _label(params.get("utm_medium")),
            _label(params.get("utm_campaign")),
            landing_page(row.click_url),
            referrer_host(row.referrer),
        )
        cell = cells.setdefault(key, Counter())
        cell["sessions"] += 1
        cell["clicks"] += row.click_count
        cell["conversations"] += row.correlated_at is not None
        cell["leads"] += row.lead_type is not None
        cell["won"] += row.lead_type == WON
    return Tally(cells, devices)


def store(connection: sa.Connection, site_id: int, day: date, counted: Tally) -> None:
    """Keep a settled day's tally."""
    connection.execute(
        sa.insert(FunnelDay),
        {"site_id": site_id, "day": day, "devices": counted.devices.serialize_compact(),
         "computed_at": utcnow()},
    )  # fmt: skip
    if counted.cells:
        connection.execute(
            sa.insert(FunnelCell),
            [
                {"site_id": site_id, "day": day, **dict(zip(DIMENSIONS, key, strict=True)),
                 **{name: cell[name] for name in MEASURES}}
                for key, cell in counted.cells.items()
            ],
        )  # fmt: skip


def settle(site_id: int, day: date) -> Tally:
    """Count a settled day and keep it, serialised with `forget` so no change slips between."""
    with db.engine.begin() as connection:
        _lock(connection, site_id)
        # On SQLite this first write takes the database's write lock before the rows are read.
        _delete(connection, site_id, day, day)
        counted = tally(connection, site_id, day)
        store(connection, site_id, day, counted)
    return counted


def forget(site_id: int, moment: datetime, connection: sa.Connection | None = None) -> None:
    """Drop the kept tally of the day of moment, in the caller's transaction: a row changed."""
    connection = connection if connection is not None else db.session.connection()
    _lock(connection, site_id)
    day = moment.astimezone(UTC).date()
    _delete(connection, site_id, day, day)


def forget_until(day: date, connection: sa.Connection | None = None) -> None:
    """Drop every site's kept tallies up to day (after a purge)."""
    connection = connection if connection is not None else db.session.connection()
    for kept in (table(FunnelCell), table(FunnelDay)):
        connection.execute(sa.delete(kept).where(kept.c.day <= day))


def landing_page(url: str | None) -> str:
    """Return a click URL without its query and fragment, as the landing page it stands for."""
    if not url:
        return ""
    parts = urlsplit(url)
    return _label(f"{parts.scheme}://{parts.netloc}{parts.path}")


def referrer_host(url: str | None) -> str:
    """Return the host of a referrer ('' for a direct visit)."""
    return _label(urlsplit(url).hostname if url else None)


def _label(value: object) -> str:
    return str(value)[:200] if value else ""


def _delete(connection: sa.Connection, site_id: int, first: date, last: date) -> None:
    for kept in (table(FunnelCell), table(FunnelDay)):
        connection.execute(
            sa.delete(kept).where(
                kept.c.site_id == site_id, kept.c.day >= first, kept.c.day <= last
            )
        )


def _lock(connection: sa.Connection, site_id: int) -> None:
    # PostgreSQL: one lock per site, held to the end of the transaction, orders a settling with
    # the changes that forget its day. SQLite's single writer already orders them.
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(0x7A11, site_id)))
