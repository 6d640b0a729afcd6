"""The sessions of a site: the attribution rows with the API's filters and cursor pages."""

import sqlalchemy as sa
from flask import abort, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import MultiDict

import correlation_id
from widget_server.api import cursor, list_query
from widget_server.dashboard.destinations_page import conversions_of
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.sessions import conflicts
from widget_server.sessions import rows as attribution
from widget_server.webhooks.tables import WebhookDelivery, WebhookEvent

PAGE = 50
# A session's page lists this many of its refused senders, the newest.
REFUSED_SHOWN = 100


@bp.get("/sites/<key>/sessions")
def sessions(key: str) -> ResponseReturnValue:
    """List a site's sessions, newest first, a page at a time."""
    site = site_of(key)
    form = {name: request.args.get(name, "").strip() for name in ("since", "until", "correlated")}
    args = MultiDict({"limit": str(PAGE)})
    for name in ("since", "until"):
        if form[name]:
            args[name] = form[name] + "T00:00:00Z"  # a day of the form is a UTC day
    if form["correlated"] in ("true", "false"):
        args["correlated"] = form["correlated"]
    if request.args.get("cursor"):
        args["cursor"] = request.args["cursor"]
    context = {"site": site, "sites": sites_of_user(), "form": form, "rows": [], "next": None,
               "refused": {}}  # fmt: skip
    try:
        query = list_query.list_query(site.id, args)
    except ApiError as error:
        return render_template("dashboard/sessions.html", error=error.message, **context), 400
    rows, last = attribution.page(site.id, query.filters, query.limit, query.after)
    context["rows"] = rows
    context["refused"] = conflicts.counts(site.id, [row.correlation_id for row in rows])
    if last is not None:
        context["next"] = {**form, "cursor": cursor.encode(site.id, query.filters, last)}
    return render_template("dashboard/sessions.html", error=None, **context)


@bp.get("/sites/<key>/sessions/<reference>")
def session_detail(key: str, reference: str) -> ResponseReturnValue:
    """Show one session: its click, conversation, refused senders and what was sent about it."""
    site = site_of(key)
    if not correlation_id.is_valid(reference):
        abort(404)
    try:
        row = attribution.one(site.id, reference)
    except ApiError:
        abort(404)
    return render_template(
        "dashboard/session.html",
        site=site,
        sites=sites_of_user(),
        row=row,
        deliveries=deliveries_of(site.id, row.correlation_id),
        conversions=conversions_of(site.id, row.correlation_id),
        refused=conflicts.recent(site.id, REFUSED_SHOWN, reference=row.correlation_id),
        refused_shown=REFUSED_SHOWN,
    )


def deliveries_of(site_id: int, reference: str) -> list[WebhookDelivery]:
    """Return the webhook deliveries of the events about one session, newest first."""
    query = (
        sa.select(WebhookDelivery)
        .join(WebhookEvent)
        .where(
            WebhookEvent.site_id == site_id,
            WebhookEvent.data["correlation_id"].as_string() == reference,
        )
        .order_by(WebhookDelivery.id.desc())
        .limit(100)
    )
    return list(db.session.scalars(query))
