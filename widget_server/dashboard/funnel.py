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


def live_from(site: Site, now: datetime) -> date:
    """Return the first day still counted from its rows: a reused reference may yet add clicks.

    A day is settled once the reuse window of its last session has passed."""
    return (now - timedelta(hours=site.reuse_hours)).date()


def overview(site: Site, first: date, last: date) -> Overview:
    """Count the site's sessions created from the start of first to the end of last (UTC)."""
    boundary = min(live_from(site, utcnow()), last + timedelta(days=1))
    settled_last = boundary - timedelta(days=1)
    devices = datasketches.hll_union(rollup.SKETCH_BITS)
    for sketch in _settle(site.id, first, settled_last):
        devices.update(datasketches.hll_sketch.deserialize(sketch))
    cells, per_day = rollup.kept(site.id, first, settled_last) if first < boundary else ([], {})
    day = max(first, boundary)
    while day <= last:
        with db.engine.connect() as connection:
            counted = rollup.tally(connection, site.id, day)
        devices.update(counted.devices)
        cells += list(counted.cells.items())
        per_day[day] = sum((c for k, c in counted.cells.items() if k[0] == "referrer"), Counter())
        day += timedelta(days=1)
    days = [(d, per_day.get(d, Counter())) for d in _days(first, last)]
    return _assemble(first, last, days, cells, round(devices.get_result().get_estimate()))


def _settle(site_id: int, first: date, last: date) -> list[bytes]:
    """Return the device sketches of the settled days first..last, settling any not kept yet."""
    table = rollup.FunnelDay.__table__.c
    found = dict(
        db.session.execute(
            sa.select(table.day, table.devices).where(
                table.site_id == site_id, table.day >= first, table.day <= last
            )
        ).all()
    )
    missing = [day for day in _days(first, last) if day not in found]
    for day in missing:
        found[day] = rollup.settle(site_id, day).devices.serialize_compact()
    if missing:
        db.session.commit()  # end the read so the next one sees what settle wrote
    return list(found.values())


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
