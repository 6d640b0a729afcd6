"""Reading a small JSON object body, with a precise 400, 413 or 415 for each mistake."""

import pytest
from flask import Flask

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
