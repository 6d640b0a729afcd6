"""The overview of a site over a range of UTC days: funnel, daily series, tables by facet."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import datasketches
import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import Site, utcnow
from widget_server.sessions import rollup

GROUPINGS = rollup.FACETS


@dataclass
class Overview:
    """What the overview page and its CSV export show."""

    first: date
    last: date
    totals: Counter
    devices: int
    days: list[tuple[date, Counter]]
    tables: dict[str, dict[tuple, Counter]]


# How far the kept part of an open day may fall behind the reuse window before it is counted
# again: the sessions after it are counted from their rows on every view.
RECOUNT_AFTER = timedelta(hours=1)
# Every session created this long ago is committed: its device is kept, though its clicks are not.
WRITTEN_AFTER = timedelta(hours=1)


def live_from(site: Site, now: datetime) -> date:
    """Return the first day still open: a reused reference may yet add clicks to its sessions.

    A day is settled once the reuse window of its last session has passed."""
    return (now - timedelta(hours=site.reuse_hours)).date()


def overview(site: Site, first: date, last: date) -> Overview:
    """Count the site's sessions created from the start of first to the end of last (UTC)."""
    now = utcnow()
    boundary = min(live_from(site, now), last + timedelta(days=1))
    # The sessions created before it can no longer gain clicks: an open day keeps them too.
    final = now - timedelta(hours=site.reuse_hours)
    written = max(now - WRITTEN_AFTER, final)
    devices = datasketches.hll_union(rollup.SKETCH_BITS)
    sketches = _settle(site.id, first, boundary - timedelta(days=1))
    live: list[tuple[date, datetime, datetime, datetime]] = []
    for day in _days(max(first, boundary), last):
        start, end = rollup.day_bounds(day)
        counted_until = devices_until = start
        if start < written:
            until = min(max(final, start), end)
            counted_until, devices_until, sketch = _keep_part(
                site.id, day, until, min(written, end)
            )
            sketches.append(sketch)
        if counted_until < end:
            live.append((day, counted_until, devices_until, end))
    for sketch in sketches:
        devices.update(datasketches.hll_sketch.deserialize(sketch))
    cells, per_day = rollup.kept(site.id, first, last)
    for day, start, devices_from, end in live:
        with db.engine.connect() as connection:
            counted = rollup.tally(connection, site.id, day, (start, end), (devices_from, end))
        devices.update(counted.devices)
        cells += list(counted.cells.items())
        per_day[day] = sum(
            (c for k, c in counted.cells.items() if k[0] == "referrer"), per_day.get(day, Counter())
        )
    days = [(d, per_day.get(d, Counter())) for d in _days(first, last)]
    return _assemble(first, last, days, cells, round(devices.get_result().get_estimate()))


def _settle(site_id: int, first: date, last: date) -> list[bytes]:
    """Return the device sketches of the settled days first..last, settling any not kept yet."""
    table = rollup.FunnelDay.__table__.c
    found = {
        day: sketch
        for day, sketch, counted_until in db.session.execute(
            sa.select(table.day, table.devices, table.computed_at).where(
                table.site_id == site_id, table.day >= first, table.day <= last
            )
        )
        if counted_until >= rollup.day_bounds(day)[1]  # else kept while the day was open
    }
    missing = [day for day in _days(first, last) if day not in found]
    for day in missing:
        found[day] = rollup.settle(site_id, day).devices.serialize_compact()
    if missing:
        db.session.commit()  # end the read so the next one sees what settle wrote
    return list(found.values())


def _keep_part(
    site_id: int, day: date, until: datetime, written: datetime
) -> tuple[datetime, datetime, bytes]:
    """Return up to when an open day's sessions are kept, up to when their devices are, and the
    device sketch; keep them again up to until and written if either falls too far behind."""
    table = rollup.FunnelDay.__table__.c
    row = db.session.execute(
        sa.select(table.computed_at, table.devices_until, table.devices).where(
            table.site_id == site_id, table.day == day
        )
    ).first()
    if row is not None:
        counted_until, devices_until, sketch = row[0], row[1] or row[0], row[2]
        if counted_until >= until - RECOUNT_AFTER and devices_until >= written - RECOUNT_AFTER:
            end = rollup.day_bounds(day)[1]
            return min(counted_until, end), min(devices_until, end), sketch
    counted = rollup.settle(site_id, day, until, written)
    db.session.commit()  # end the read so the next one sees what settle wrote
    return until, written, counted.devices.serialize_compact()


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _assemble(
    first: date,
    last: date,
    days: list[tuple[date, Counter[str]]],
    cells: list[tuple[tuple[str, ...], Counter[str]]],
    devices: int,
) -> Overview:
    tables: dict[str, dict[tuple, Counter]] = {name: {} for name in GROUPINGS}
    for (facet, *values), counts in cells:
        key = tuple(values[: len(GROUPINGS[facet])])
        tables[facet].setdefault(key, Counter()).update(counts)
    totals = sum(tables["referrer"].values(), Counter())
    return Overview(first, last, totals, devices, days, tables)
