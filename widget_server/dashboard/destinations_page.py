"""A site's conversion destinations (Meta, Google Ads, GA4): status, tests, the conversions sent."""

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from widget_server.conversions import destinations as manage
from widget_server.conversions import probe
from widget_server.conversions.conversion_tables import ConversionDelivery, Destination
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.db import db
from widget_server.models import Site


@bp.get("/sites/<key>/destinations")
def destinations(key: str) -> ResponseReturnValue:
    """Show the site's destinations and their newest conversions."""
    site = site_of(key)
    return render_template(
        "dashboard/destinations.html",
        site=site,
        sites=sites_of_user(),
        destinations=manage.list_destinations(site.key),
        conversions=manage.recent(site.key, None, 50),
    )


@bp.post("/sites/<key>/destinations/<int:destination_id>/test")
def test_destination(key: str, destination_id: int) -> ResponseReturnValue:
    """Send one sample conversion in the platform's test mode and show its verdict."""
    site = site_of(key)
    destination = _destination(site, destination_id)
    code = (request.form.get("test_event_code") or "").strip() or None
    try:
        ok, verdict = probe.probe(destination.id, current_app.config, code)
        flash(f"Destination {destination_id} {'accepted' if ok else 'refused'} the test: {verdict}")
    except manage.DestinationError as error:
        flash(str(error))
    return redirect(url_for("dashboard.destinations", key=site.key))


@bp.post("/sites/<key>/destinations/<int:destination_id>/<any(disable, enable, remove):action>")
def change_destination(key: str, destination_id: int, action: str) -> ResponseReturnValue:
    """Disable, enable or remove a destination."""
    site = site_of(key)
    destination = _destination(site, destination_id)
    getattr(manage, action)(destination.id)
    flash(f"Destination {destination_id} is {action}d.")
    return redirect(url_for("dashboard.destinations", key=site.key))


def _destination(site: Site, destination_id: int) -> Destination:
    destination = db.session.get(Destination, destination_id)
    if destination is None or destination.site_id != site.id:
        abort(404)
    return destination


def conversions_of(site_id: int, reference: str) -> list[ConversionDelivery]:
    """Return the conversions of one session, newest first."""
    query = (
        sa.select(ConversionDelivery)
        .join(Destination)
        .where(Destination.site_id == site_id, ConversionDelivery.correlation_id == reference)
        .order_by(ConversionDelivery.id.desc())
    )
    return list(db.session.scalars(query))
