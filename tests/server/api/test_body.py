"""Reading a small JSON object body, with a precise 400, 413 or 415 for each mistake."""

import http.client
import json
import threading

import pytest
from flask import Flask
from werkzeug.serving import make_server

from widget_server.api import body
from widget_server.errors import ApiError


def read(data, content_type="application/json", allowed=("a", "b")):
    app = Flask(__name__)
    with app.test_request_context(method="POST", data=data, content_type=content_type):
        return body.json_object(set(allowed))


def test_a_json_object_with_known_fields_is_read():
    assert read('{"a": "x"}') == {"a": "x"}


@pytest.mark.parametrize(
    ("data", "content_type", "status", "message"),
    [
        ("{}", "text/plain", 415, "Content-Type must be application/json"),
        ("[1]", "application/json", 400, "body must be a JSON object"),
        ("{", "application/json", 400, "body is not valid JSON"),
        (b"\xff", "application/json", 400, "body is not valid JSON"),
        ('{"c": 1}', "application/json", 400, "unknown field 'c'; allowed fields: a, b"),
        ("[" * 100000, "application/json", 413, "body is larger than 8192 bytes"),
        ("[" * 5000 + "]" * 5000, "application/json", 413, "larger than"),
    ],
)
def test_bad_bodies_say_why(data, content_type, status, message):
    with pytest.raises(ApiError, match=message) as raised:
        read(data, content_type)
    assert raised.value.status == status


def test_deep_nesting_within_the_size_limit_is_a_400():
    with pytest.raises(ApiError, match="nested too deeply") as raised:
        read("[" * 4000 + "]" * 4000)
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "x is required"),
        (3, "x must be a string"),
        (" \t", "x must not be empty"),
        ("a\x00b", "without NUL"),
        ("\ud800", "valid Unicode"),
        ("abcdef", "at most 5 characters"),
    ],
)
def test_required_text_refuses_each_kind_of_bad_value(value, message):
    with pytest.raises(ApiError, match=message):
        body.required_text({"x": value}, "x", 5)


def test_optional_text_is_none_when_missing_or_null_and_checked_otherwise():
    assert body.optional_text({}, "x", 5) is None
    assert body.optional_text({"x": None}, "x", 5) is None
    assert body.optional_text({"x": "\u00a0ok"}, "x", 5) == "\u00a0ok"  # only ASCII space is blank
    with pytest.raises(ApiError, match="must not be empty"):
        body.optional_text({"x": "  "}, "x", 5)


URL = "/integrations/external/correlations"
BODY = {"correlation_id": "O-aB3dE9z", "whatsapp_id": "15557654321", "message_id": "wamid.A"}


@pytest.fixture
def served(app):
    """Serve the app on a free loopback port; yield the port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.port
    server.shutdown()


def post_chunked(port: int, key: str, body: bytes) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.putrequest("POST", URL)
    connection.putheader("Transfer-Encoding", "chunked")
    connection.putheader("Content-Type", "application/json")
    connection.putheader("Authorization", f"Bearer {key}")
    connection.endheaders()
    for start in range(0, len(body), 1000):
        chunk = body[start : start + 1000]
        connection.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
    connection.send(b"0\r\n\r\n")
    response = connection.getresponse()
    answer = (response.status, json.loads(response.read()))
    connection.close()
    return answer


def test_a_chunked_body_over_the_limit_is_413_even_if_its_start_is_valid_json(
    served, site, make_key
):
    key = make_key(site, "correlations:write")
    # Valid JSON in the first 8 KB, then padding: cut at the limit, it would parse.
    status, body = post_chunked(served, key, json.dumps(BODY).encode() + b" " * 9000)
    assert (status, body["message"]) == (413, "body is larger than 8192 bytes")


def test_a_chunked_body_within_the_limit_is_read_whole(served, site, make_key):
    key = make_key(site, "correlations:write")
    status, body = post_chunked(served, key, json.dumps(BODY).encode() + b" " * 7000)
    assert (status, body["message"]) == (404, "no attribution row with correlation_id O-aB3dE9z")
