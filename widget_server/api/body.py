"""Read a small JSON object body, or say precisely why it cannot be read."""

import json
from typing import Any

from flask import request
from werkzeug.exceptions import RequestEntityTooLarge

from profile_name import BLANK, is_clean_text
from widget_server.errors import ApiError

MAX_BODY = 8 * 1024


def json_object(allowed: set[str]) -> dict[str, Any]:
    """Return the request body as a JSON object whose keys are all in allowed."""
    if request.mimetype != "application/json":
        raise ApiError(415, "Content-Type must be application/json")
    try:
        body = json.loads(_read_small_body())
    except RequestEntityTooLarge:
        raise ApiError(413, f"body is larger than {MAX_BODY} bytes") from None
    except RecursionError:
        raise ApiError(400, "body is nested too deeply") from None
    except ValueError as error:  # UnicodeDecodeError included
        raise ApiError(400, f"body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise ApiError(400, "body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ApiError(
            400, f"unknown field {unknown[0]!r}; allowed fields: {', '.join(sorted(allowed))}"
        )
    return body


def _read_small_body() -> bytes:
    # Werkzeug's own limit stops a streamed (chunked) body at the limit without saying so: a
    # long body would be cut and parsed. One byte past the limit is read to tell them apart.
    if request.content_length is not None and request.content_length > MAX_BODY:
        raise RequestEntityTooLarge()
    chunks, size = [], 0
    while size <= MAX_BODY:
        chunk = request.stream.read(MAX_BODY + 1 - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    if size > MAX_BODY:
        raise RequestEntityTooLarge()
    return b"".join(chunks)


def required_text(body: dict[str, Any], name: str, max_length: int) -> str:
    """Return body[name] as a non-empty string of at most max_length characters."""
    if body.get(name) is None:
        raise ApiError(400, f"{name} is required")
    return _text(body[name], name, max_length)


def optional_text(body: dict[str, Any], name: str, max_length: int) -> str | None:
    """Return body[name] like required_text, or None when it is missing or null."""
    if body.get(name) is None:
        return None
    return _text(body[name], name, max_length)


def _text(value: object, name: str, max_length: int) -> str:
    if not isinstance(value, str):
        raise ApiError(400, f"{name} must be a string")
    if not value.strip(BLANK):
        raise ApiError(400, f"{name} must not be empty")
    if not is_clean_text(value):
        raise ApiError(400, f"{name} must be valid Unicode text without NUL characters")
    if len(value) > max_length:
        raise ApiError(400, f"{name} must be at most {max_length} characters")
    return value
