"""Daily rollups of a site's sessions: counts per campaign, landing page and referrer, and a
sketch of the devices, computed once per settled day and forgotten when one of its rows changes."""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlsplit

import datasketches
import sqlalchemy as sa
from sqlalchemy import Date, Float, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from widget_server.db import Model, db, table
from widget_server.models import UTCDateTime, WebSession, utcnow

SKETCH_BITS = 12  # 4 KiB a day; about 1.6% off once a day holds more devices than it keeps exactly
WON = "won"
MEASURES = ("sessions", "clicks", "conversations", "leads", "won", "value")
# Each session is counted once in every facet, so any facet's sum is the day's total.
FACETS = {"campaign": ("source", "medium", "campaign"), "landing": ("page",), "referrer": ("host",)}


class FunnelDay(Model):
    """A kept day of a site that has its cells: the sketch of its devices."""

    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    devices: Mapped[bytes] = mapped_column(LargeBinary)
    # A settled day: when it was counted. A day still open to reused references: the moment up
    # to which its sessions are counted (those before it can no longer gain clicks).
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # An open day: the moment up to which its sessions' devices are in the sketch, later than
    # computed_at (a click adds to a session's count, never changes its device). None: the same.
    devices_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class FunnelCell(Model):
    """The counts of one day's sessions that share a campaign, a landing page or a referrer."""

    __table_args__ = (Index("ix_funnel_cell_site_day", "site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    day: Mapped[date] = mapped_column(Date)
    facet: Mapped[str] = mapped_column(String(16))
    # The facet's values: source, medium and campaign; or the page, or the host, and ''.
    a: Mapped[str] = mapped_column(String(200))
    b: Mapped[str] = mapped_column(String(200))
    c: Mapped[str] = mapped_column(String(200))
    sessions: Mapped[int]
    clicks: Mapped[int]
    conversations: Mapped[int]
    leads: Mapped[int]
    won: Mapped[int]
    # What the won leads were worth, summed as reported (a site is expected to use one currency).
    value: Mapped[float] = mapped_column(Float)


@dataclass
class Tally:
    """One day's cells, keyed by their dimensions, and the sketch of its devices."""

    cells: dict[tuple[str, ...], Counter[str]]
    devices: datasketches.hll_sketch


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Return the UTC start of day and of the next one."""
    start = datetime.combine(day, time(), UTC)
    return start, start + timedelta(days=1)


def tally(
    connection: sa.Connection,
    site_id: int,
    day: date,
    part: tuple[datetime, datetime] | None = None,
    devices_part: tuple[datetime, datetime] | None = None,
) -> Tally:
    """Count one day of a site's sessions (or those of part of it), grouped in SQL: a day may
    hold tens of thousands. The devices are those of devices_part, if given."""
    start, end = part or day_bounds(day)
    c = table(WebSession).c
    in_day = (c.site_id == site_id, c.created_at >= start, c.created_at < end)
    measures = (
        sa.func.count().label("sessions"),
        sa.func.sum(c.click_count).label("clicks"),
        sa.func.count(c.correlated_at).label("conversations"),
        sa.func.count(c.lead_type).label("leads"),
        sa.func.sum(sa.case((c.lead_type == WON, 1), else_=0)).label("won"),
        sa.func.sum(sa.case((c.lead_type == WON, sa.func.coalesce(c.lead_value, 0)), else_=0)),
    )
    # Derived by the database with each row (see WebSession): nothing to take apart here.
    keys = {
        "campaign": [c.utm_source, c.utm_medium, c.utm_campaign],
        "landing": [c.landing],
        "referrer": [c.referrer_netloc],
    }
    cells: dict[tuple[str, ...], Counter[str]] = {}
    if connection.dialect.name == "postgresql":  # all three facets in one pass over the rows
        every = [column for columns in keys.values() for column in columns]
        # 0 where the row is a group of that facet: its columns are the ones grouped by.
        flags = [sa.func.grouping(columns[0]) for columns in keys.values()]
        sets = sa.func.grouping_sets(*(sa.tuple_(*columns) for columns in keys.values()))
        query = sa.select(*every, *flags, *measures).where(*in_day).group_by(sets)
        for row in connection.execute(query).all():
            at, grouped, counts = 0, row[len(every) : -len(measures)], row[-len(measures) :]
            for (facet, columns), flag in zip(keys.items(), grouped, strict=True):
                if flag == 0:
                    _add(cells, facet, row[at : at + len(columns)], counts)
                at += len(columns)
    else:
        for facet, columns in keys.items():
            query = sa.select(*columns, *measures).where(*in_day).group_by(*columns)
            for row in connection.execute(query).all():
                _add(cells, facet, row[: len(columns)], row[len(columns) :])
    devices = datasketches.hll_sketch(SKETCH_BITS)
    # A session without a device id is a device of its own.
    device = sa.func.coalesce(c.device_id, "~" + c.correlation_id)
    first, until = devices_part or (start, end)
    in_part = (c.site_id == site_id, c.created_at >= first, c.created_at < until)
    # Fetched at once: row by row, a busy day's devices cost more to read than to count.
    for name in connection.scalars(sa.select(device).where(*in_part).distinct()).all():
        devices.update(name)
    return Tally(cells, devices)


def _add(
    cells: dict[tuple[str, ...], Counter[str]],
    facet: str,
    parts: Sequence[Any],
    counts: Sequence[Any],
) -> None:
    """Add a group's counts to the cell of its facet's values."""
    values = [_label(part) for part in parts]
    if facet == "referrer":  # SQL cut it roughly: name it as referrer_host does
        values = [referrer_host(f"http://{values[0]}") if values[0] else ""]
    cells.setdefault((facet, *values, "", "")[:4], Counter()).update(_counts(counts))


def store(
    connection: sa.Connection,
    site_id: int,
    day: date,
    counted: Tally,
    until: datetime | None,
    devices_until: datetime | None = None,
) -> None:
    """Keep a settled day's tally, or that of an open day's sessions created before until (and
    the devices of those created before devices_until)."""
    connection.execute(
        sa.insert(FunnelDay),
        {"site_id": site_id, "day": day, "devices": counted.devices.serialize_compact(),
         "computed_at": until or utcnow(), "devices_until": devices_until},
    )  # fmt: skip
    if counted.cells:
        connection.execute(
            sa.insert(FunnelCell),
            [
                {"site_id": site_id, "day": day, "facet": facet, "a": a, "b": b, "c": c,
                 **{name: cell[name] for name in MEASURES}}
                for (facet, a, b, c), cell in counted.cells.items()
            ],
        )  # fmt: skip


def kept(
    site_id: int, first: date, last: date
) -> tuple[list[tuple[tuple[str, ...], Counter[str]]], dict[date, Counter[str]]]:
    """Return the kept days' cells summed over first..last, and each kept day's totals."""
    t = table(FunnelCell).c
    sums = [sa.func.sum(t[name]).label(name) for name in MEASURES]
    where = (t.site_id == site_id, t.day >= first, t.day <= last)
    cells = db.session.execute(
        sa.select(t.facet, t.a, t.b, t.c, *sums).where(*where).group_by(t.facet, t.a, t.b, t.c)
    )
    days = db.session.execute(
        sa.select(t.day, *sums).where(*where, t.facet == "referrer").group_by(t.day)
    )
    return (
        [((row[0], row[1], row[2], row[3]), _counts(row[4:])) for row in cells],
        {row[0]: _counts(row[1:]) for row in days},
    )


def _counts(values: Sequence[Any]) -> Counter[str]:
    counts = [int(n or 0) for n in values[:-1]] + [round(float(values[-1] or 0), 2)]
    return Counter(dict(zip(MEASURES, counts, strict=True)))


def settle(
    site_id: int,
    day: date,
    until: datetime | None = None,
    devices_until: datetime | None = None,
) -> Tally:
    """Count a settled day (or an open day's sessions created before until, and the devices of
    those created before devices_until) and keep it, serialised with `forget` so no change slips
    between."""
    start = day_bounds(day)[0]
    with db.engine.begin() as connection:
        _lock(connection, site_id)
        # On SQLite this first write takes the database's write lock before the rows are read.
        _delete(connection, site_id, day, day)
        part = None if until is None else (start, until)
        devices_part = None if devices_until is None else (start, devices_until)
        counted = tally(connection, site_id, day, part, devices_part)
        store(connection, site_id, day, counted, until, devices_until)
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
    for rollup in (table(FunnelCell), table(FunnelDay)):
        connection.execute(sa.delete(rollup).where(rollup.c.day <= day))


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
    for rollup in (table(FunnelCell), table(FunnelDay)):
        connection.execute(
            sa.delete(rollup).where(
                rollup.c.site_id == site_id, rollup.c.day >= first, rollup.c.day <= last
            )
        )


def _lock(connection: sa.Connection, site_id: int) -> None:
    # PostgreSQL: one lock per site, held to the end of the transaction, orders a settling with
    # the changes that forget its day. SQLite's single writer already orders them.
    if connection.dialect.name == "postgresql":
        connection.execute(sa.select(sa.func.pg_advisory_xact_lock(0x7A11, site_id)))
