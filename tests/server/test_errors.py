"""Every failure answers the same JSON envelope, with the right status."""

import pytest
from flask import Flask

from widget_server.errors import ApiError, OperatorError, envelope, register


@pytest.fixture
def plain():
    """A bare app with only the error handlers, and routes that fail in each way."""
    app = Flask(__name__)
    register(app)

    @app.get("/api-error")
    def api_error():
        raise ApiError(409, "taken")

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret detail")

    @app.post("/only-post")
    def only_post():
        return "ok"

    return app.test_client()


def test_an_api_error_answers_its_status_and_message(plain):
    response = plain.get("/api-error")
    assert response.status_code == 409
    assert response.get_json() == {"status": 409, "message": "taken", "data": None}


def test_http_errors_use_the_envelope_and_405_says_what_is_allowed(plain):
    assert plain.get("/nowhere").get_json()["status"] == 404
    response = plain.get("/only-post")
    assert response.status_code == 405
    assert "POST" in response.headers["Allow"]
    assert response.get_json()["status"] == 405


def test_an_unexpected_error_is_a_500_without_its_details(plain):
    response = plain.get("/boom")
    assert response.status_code == 500
    assert response.get_json() == {"status": 500, "message": "internal error", "data": None}


def test_envelope_carries_data():
    app = Flask(__name__)
    with app.app_context():
        response = envelope(200, "ok", {"a": 1})
    assert response.status_code == 200 and response.get_json()["data"] == {"a": 1}


def test_operator_errors_are_one_family():
    from widget_server.sites.api_keys import UnknownKey
    from widget_server.sites.registry import UnknownSite
    from widget_server.webhooks.endpoints import EndpointError

    assert all(
        issubclass(error, OperatorError) for error in (UnknownSite, UnknownKey, EndpointError)
    )
