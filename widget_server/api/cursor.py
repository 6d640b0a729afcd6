"""Opaque page cursors: the last row's position and the filters, sealed with a MAC."""

import base64
import binascii
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime, timedelta

from flask import current_app

from widget_server.errors import ApiError
from widget_server.sessions.rows import Filters, Position

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MALFORMED = "cursor is malformed: pass next_cursor exactly as the previous page returned it"


def encode(site_id: int, filters: Filters, after: Position) -> str:
    """Seal a position and the filters it belongs to into a URL-safe string."""
    payload = {
        "t": _micros(after[0]),
        "i": after[1],
        "s": _micros(filters.since),
        "u": _micros(filters.until),
        "c": filters.correlated,
    }
    body = json.dumps(payload, separators=(",", ":")).encode()
    return _b64(body + _mac(site_id, body))


def decode(site_id: int, cursor: str) -> tuple[Filters, Position]:
    """Open a cursor issued for this site, or raise a 400 saying what is wrong."""
    if not re.fullmatch(r"[A-Za-z0-9_-]{24,400}", cursor):
        raise ApiError(400, MALFORMED)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    except (binascii.Error, ValueError):
        raise ApiError(400, MALFORMED) from None
    body, mac = raw[:-16], raw[-16:]
    if not hmac.compare_digest(mac, _mac(site_id, body)):
        raise ApiError(400, "cursor was altered or issued for another site: start from page one")
    try:
        data = json.loads(body)
        filters = Filters(_time(data["s"]), _time(data["u"]), data["c"])
        position = (_time(data["t"]), int(data["i"]))
        if filters.correlated not in (True, False, None):
            raise ValueError
    except (ValueError, KeyError, TypeError, OverflowError):
        raise ApiError(400, MALFORMED) from None
    return filters, position


def _mac(site_id: int, body: bytes) -> bytes:
    # Binding the site makes another tenant's cursor fail loudly instead of paging oddly.
    secret = current_app.config.get("SECRET_KEY") or "wa-handoff cursor"
    if isinstance(secret, str):
        secret = secret.encode()
    return hmac.new(secret, b"%d|" % site_id + body, hashlib.sha256).digest()[:16]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // timedelta(microseconds=1)


def _time(micros: int | None) -> datetime | None:
    return None if micros is None else EPOCH + timedelta(microseconds=int(micros))
