"""The overview page of a site: funnel, daily chart, the table by campaign, page or referrer."""

from collections import Counter

from flask import Response, render_template, request
from flask.typing import ResponseReturnValue

from widget_server.dashboard import chart, ranges
from widget_server.dashboard.csv_export import rate, table_csv
from widget_server.dashboard.funnel import GROUPINGS, overview
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.models import Site

SORTABLE = ("sessions", "clicks", "conversations", "leads", "won", "value", "rate")


@bp.get("/sites/<key>/")
def overview_page(key: str) -> ResponseReturnValue:
    """Show the funnel and tables of a site over a range."""
    site = site_of(key)
    try:
        days = ranges.parse(request.args)
    except ranges.RangeError as error:
        return _page(site, None, str(error)), 400
    return _page(site, days, None)


@bp.get("/sites/<key>/export.csv")
def export_csv(key: str) -> ResponseReturnValue:
    """Download the table of a site over a range as CSV."""
    site = site_of(key)
    try:
        days = ranges.parse(request.args)
    except ranges.RangeError as error:
        return Response(f"{error}\n", 400, mimetype="text/plain")
    grouping = _grouping()
    summary = overview(site, days.first, days.last)
    name = f"{site.key}-{grouping}-{days.first}-{days.last}.csv"
    return Response(
        table_csv(summary, grouping),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _grouping() -> str:
    grouping = request.args.get("by", "campaign")
    return grouping if grouping in GROUPINGS else "campaign"


def _page(site: Site, days: ranges.DayRange | None, error: str | None) -> str:
    grouping = _grouping()
    sort = request.args.get("sort", "sessions")
    sort = sort if sort in SORTABLE else "sessions"
    descending = request.args.get("dir", "desc") != "asc"
    context = {"site": site, "sites": sites_of_user(), "days": days, "error": error,
               "grouping": grouping, "groupings": GROUPINGS, "sort": sort,
               "descending": descending, "rate": rate}  # fmt: skip
    if days is not None:
        summary = overview(site, days.first, days.last)
        table = sorted(
            summary.tables[grouping].items(),
            key=lambda item: _sort_key(item[1], sort),
            reverse=descending,
        )
        laid, top = chart.bars(summary.days)
        context.update(summary=summary, table=table, bars=laid, top=top, chart=chart)
    return render_template("dashboard/overview.html", **context)


def _sort_key(cell: Counter[str], sort: str) -> float:
    if sort == "rate":
        return rate(cell["conversations"], cell["sessions"])
    return cell[sort]
