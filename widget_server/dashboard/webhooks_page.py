"""A site's webhooks: endpoints and their events, secrets shown once, rotation, deliveries."""

from typing import cast

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from widget_server.dashboard.forms import EndpointForm
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import endpoints
from widget_server.webhooks.tables import EVENT_TYPES, WebhookDelivery, WebhookEndpoint


def _form() -> EndpointForm:
    form = EndpointForm()
    form.events.choices = [(event, event) for event in EVENT_TYPES]
    return form


@bp.route("/sites/<key>/webhooks", methods=["GET", "POST"])
def webhooks(key: str) -> ResponseReturnValue:
    """List the site's endpoints and newest deliveries; add an endpoint."""
    site = site_of(key)
    form, secret, status = _form(), None, 200
    if form.validate_on_submit():
        try:
            _, secret = endpoints.add(site.key, form.url.data or "", form.events.data or [])
        except endpoints.EndpointError as error:
            cast(list[str], form.url.errors).append(str(error))
            status = 400
    elif form.is_submitted():
        status = 400
    return _render(site, form, secret, None), status


@bp.post("/sites/<key>/webhooks/<int:endpoint_id>/rotate")
def rotate(key: str, endpoint_id: int) -> ResponseReturnValue:
    """Draw a new secret for an endpoint; show it once."""
    site = site_of(key)
    endpoint = _endpoint(site, endpoint_id)
    _, secret = endpoints.rotate_secret(endpoint.id, None)
    return _render(site, _form(), secret, endpoint)


@bp.post("/sites/<key>/webhooks/<int:endpoint_id>/remove")
def remove(key: str, endpoint_id: int) -> ResponseReturnValue:
    """Remove an endpoint and its deliveries."""
    site = site_of(key)
    endpoints.remove(_endpoint(site, endpoint_id).id)
    flash(f"Endpoint {endpoint_id} is removed.")
    return redirect(url_for("dashboard.webhooks", key=site.key))


@bp.post("/sites/<key>/deliveries/<int:delivery_id>/redeliver")
def redeliver(key: str, delivery_id: int) -> ResponseReturnValue:
    """Queue a delivery again, with the same webhook-id."""
    site = site_of(key)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint.site_id != site.id:
        abort(404)
    try:
        endpoints.redeliver(delivery.id)
        flash(f"Delivery {delivery_id} is queued again.")
    except endpoints.EndpointError as error:
        flash(str(error))
    return redirect(url_for("dashboard.webhooks", key=site.key))


def _endpoint(site: Site, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.site_id != site.id:
        abort(404)
    return endpoint


def _render(
    site: Site, form: EndpointForm, secret: str | None, rotated: WebhookEndpoint | None
) -> str:
    return render_template(
        "dashboard/webhooks.html",
        site=site,
        sites=sites_of_user(),
        form=form,
        secret=secret,
        rotated=rotated,
        endpoints=endpoints.list_endpoints(site.key),
        deliveries=endpoints.recent_deliveries(site.key, None, 50),
        event_types=EVENT_TYPES,
    )
