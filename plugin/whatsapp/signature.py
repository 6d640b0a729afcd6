"""Check Meta's X-Hub-Signature-256 header: sha256= + HMAC-SHA256 of the raw body."""

from __future__ import annotations

import hashlib
import hmac


def sign(body: bytes, app_secret: str) -> str:
    """Return the header value Meta sends for body."""
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def is_signed(body: bytes, header: str | None, app_secret: str) -> bool:
    """Tell whether header is the right signature of body, in constant time."""
    if not header or not header.startswith("sha256="):
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode())


def same_token(given: str | None, expected: str) -> bool:
    """Compare a verify token in constant time."""
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())
