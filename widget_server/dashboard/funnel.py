"""The overview of a site over a range of UTC days: funnel, daily series, tables by dimension."""

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

import datasketches
import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import Site, utcnow
from widget_server.sessions import rollup

GROUPINGS = {
    "campaign": ("source", "medium", "campaign"),
    "landing": ("landing",),
    "referrer": ("referrer",),
}


@dataclass
class Overview:
    """What the overview page and its CSV export show."""

    first: date
    last: date
    totals: Counter
    devices: int
    days: list[tuple[date, Counter]]
    tables: dict[str, dict[tuple, Counter]] = field(default_factory=dict)


def live_from(site: Site, today: date) -> date:
    """Return the first day still counted from the rows: a reused reference may yet add clicks."""
    return today - timedelta(days=math.ceil(site.reuse_hours / 24))


def overview(site: Site, first: date, last: date) -> Overview:
    """Count the site's sessions created from the start of first to the end of last (UTC)."""
    today = utcnow().date()
    boundary = min(live_from(site, today), last + timedelta(days=1))
    stored = _stored(site.id, first, boundary - timedelta(days=1))
    per_day: dict[date, Counter] = {}
    cells: list[tuple[tuple, Counter]] = []
    devices = datasketches.hll_union(rollup.SKETCH_BITS)
    day = first
    while day <= last:
        if day in stored:
            sketch, day_cells = stored[day], []  # its cells are read in one query below
        elif day < boundary:
            counted = rollup.settle(site.id, day)
            sketch, day_cells = counted.devices, list(counted.cells.items())
        else:
            with db.engine.connect() as connection:
                counted = rollup.tally(connection, site.id, day)
            sketch, day_cells = counted.devices, list(counted.cells.items())
        if isinstance(sketch, bytes):
            sketch = datasketches.hll_sketch.deserialize(sketch)
        devices.update(sketch)
        per_day[day] = Counter()
        for key, cell in day_cells:
            cells.append((key, cell))
            per_day[day].update(cell)
        day += timedelta(days=1)
    for day, key, cell in _stored_cells(site.id, sorted(stored)):
        cells.append((key, cell))
        per_day[day].update(cell)
    return _assemble(first, last, per_day, cells, round(devices.get_result().get_estimate()))


def _assemble(first, last, per_day, cells, devices) -> Overview:
    totals: Counter = Counter()
    tables: dict[str, dict[tuple, Counter]] = {name: {} for name in GROUPINGS}
    for key, cell in cells:
        totals.update(cell)
        named = dict(zip(rollup.DIMENSIONS, key, strict=True))
        for name, dimensions in GROUPINGS.items():
            group = tuple(named[dimension] for dimension in dimensions)
            tables[name].setdefault(group, Counter()).update(cell)
    return Overview(first, last, totals, devices, sorted(per_day.items()), tables)


def _stored(site_id: int, first: date, last: date) -> dict[date, bytes]:
    table = rollup.FunnelDay.__table__.c
    rows = db.session.execute(
        sa.select(table.day, table.devices).where(
            table.site_id == site_id, table.day >= first, table.day <= last
        )
    )
    return {row.day: row.devices for row in rows}


def _stored_cells(site_id: int, days: list[date]):
    if not days:
        return
    table = rollup.FunnelCell.__table__.c
    dimensions = [table[name] for name in rollup.DIMENSIONS]
    rows = db.session.execute(
        sa.select(table.day, *dimensions, *[table[name] for name in rollup.MEASURES]).where(
            table.site_id == site_id, table.day >= days[0], table.day <= days[-1]
        )
    )
    wanted = set(days)
    for row in rows:
        if row.day in wanted:
            key = tuple(getattr(row, name) for name in rollup.DIMENSIONS)
            yield row.day, key, Counter({name: getattr(row, name) for name in rollup.MEASURES})
