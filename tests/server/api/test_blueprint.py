"""One blueprint under /integrations/external, with its auth error handler registered once."""

from widget_server.api.auth import AuthError
from widget_server.api.blueprint import bp

PREFIX = "/integrations/external"


def test_every_api_route_is_under_the_prefix(app):
    rules = {
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert all(path.startswith(PREFIX + "/") for path, _ in rules)
    assert rules >= {
        (f"{PREFIX}/attribution", "GET"),
        (f"{PREFIX}/attribution/<reference>", "GET"),
        (f"{PREFIX}/attribution/<reference>", "PATCH"),
        (f"{PREFIX}/correlations", "POST"),
    }


def test_the_auth_handler_is_registered_once_for_the_blueprint():
    handlers = bp.error_handler_spec[None][None]
    assert list(handlers) == [AuthError]


def test_an_auth_failure_carries_its_challenge(client):
    for path in ("/attribution", "/correlations"):
        method = client.post if path == "/correlations" else client.get
        response = method(PREFIX + path)
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith('Bearer realm="wa-handoff"')
