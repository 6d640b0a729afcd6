"""Endpoint management as plain functions: what the CLI and the dashboard call."""

import pytest

from widget_server.webhooks import endpoints
from widget_server.webhooks.endpoints import EndpointError


def test_add_list_rotate_and_remove(app, site, receiver):
    with app.app_context():
        endpoint, secret = endpoints.add(site, receiver.url, ["lead.updated", "lead.updated"])
        assert endpoint.event_types == "lead.updated" and endpoint.secret == secret
        assert endpoints.list_endpoints(site) == [endpoint] == endpoints.list_endpoints(None)
        rotated, new = endpoints.rotate_secret(endpoint.id, 1)
        assert new != secret and rotated.previous_secret == secret
        endpoints.remove(endpoint.id)
        assert endpoints.list_endpoints(None) == []


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda site: endpoints.add(site, "https://example.com/", ["nope"]),
            "unknown event 'nope'",
        ),
        (lambda site: endpoints.add(site, "ftp://example.com/", []), "must start with http"),
        (lambda site: endpoints.get_endpoint(999), "no webhook endpoint with id 999"),
        (lambda site: endpoints.redeliver(999), "no webhook delivery with id 999"),
        (lambda site: endpoints.rotate_secret(999, 1), "no webhook endpoint"),
    ],
)
def test_mistakes_are_endpoint_errors(app, site, call, message):
    with app.app_context(), pytest.raises(EndpointError, match=message):
        call(site)


def test_a_negative_overlap_is_refused(app, site, receiver):
    with app.app_context():
        endpoint, _ = endpoints.add(site, receiver.url, [])
        with pytest.raises(EndpointError, match="must not be negative"):
            endpoints.rotate_secret(endpoint.id, -1)


def test_a_malformed_setting_is_reported_as_an_endpoint_error(app):
    app.config["WEBHOOK_TIMEOUT"] = "soon"
    with app.app_context(), pytest.raises(EndpointError, match="WEBHOOK_TIMEOUT must be a number"):
        endpoints.settings()
