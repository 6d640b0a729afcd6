"""Bearer API keys: who is calling, for which site, with which scopes."""

import functools
import hashlib
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from flask import Response, g, request
from sqlalchemy import select

from widget_server.db import db
from widget_server.errors import ApiError, envelope
from widget_server.models import ApiKey

P = ParamSpec("P")
R = TypeVar("R")

REALM = 'Bearer realm="wa-handoff"'
# Compared against when no key has the presented prefix, so unknown keys cost the same time.
_DECOY = ApiKey(digest=hashlib.sha256(b"decoy").hexdigest())


class AuthError(ApiError):
    """A 401 or 403 that carries its `WWW-Authenticate` challenge."""

    def __init__(self, status: int, message: str, challenge: str):
        super().__init__(status, message)
        self.challenge = challenge


def authenticate(header: str | None) -> ApiKey:
    """Return the live API key named by an Authorization header, or raise a 401."""
    if not header:
        raise AuthError(401, "missing API key: send 'Authorization: Bearer <key>'", REALM)
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        message = "malformed Authorization header: expected 'Bearer <key>'"
        raise AuthError(401, message, _challenge("invalid_request"))
    prefix = ApiKey.prefix_of(token)
    key = None
    if prefix is not None:
        key = db.session.execute(select(ApiKey).filter_by(prefix=prefix)).scalar_one_or_none()
    if key is None:
        _DECOY.matches(token)
        raise AuthError(401, "invalid API key", _challenge("invalid_token"))
    if not key.matches(token):
        raise AuthError(401, "invalid API key", _challenge("invalid_token"))
    if key.revoked_at is not None:
        raise AuthError(401, "API key has been revoked", _challenge("invalid_token"))
    return key


def require_scope(scope: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Guard a view: a valid key with scope, exposed as g.api_key and g.site."""

    def decorate(view: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(view)
        def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
            key = authenticate(request.headers.get("Authorization"))
            if not key.allows(scope):
                challenge = _challenge("insufficient_scope") + f', scope="{scope}"'
                raise AuthError(403, f"API key lacks the scope {scope}", challenge)
            g.api_key, g.site = key, key.site
            return view(*args, **kwargs)

        return guarded

    return decorate


def render(error: AuthError) -> Response:
    """Render an AuthError as the JSON envelope with its challenge header."""
    response = envelope(error.status, error.message)
    response.headers["WWW-Authenticate"] = error.challenge
    return response


def _challenge(code: str) -> str:
    return f'{REALM}, error="{code}"'
