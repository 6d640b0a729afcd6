"""Opaque page cursors: the last row's position and the filters, sealed with itsdangerous."""

import hashlib
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import current_app
from itsdangerous import BadPayload, BadSignature, URLSafeSerializer

from widget_server.errors import ApiError
from widget_server.sessions.rows import Filters, Position

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MALFORMED = "cursor is malformed: pass next_cursor exactly as the previous page returned it"
ALTERED = "cursor was altered or issued for another site: start from page one"
# Row ids are 64-bit integers in both databases; a larger one would fail in the driver.
MAX_ID = 2**63 - 1


def encode(site_id: int, filters: Filters, after: Position) -> str:
    """Seal a position and the filters it belongs to into a URL-safe string."""
    payload = {
        "t": _micros(after[0]),
        "i": after[1],
        "s": _micros(filters.since),
        "u": _micros(filters.until),
        "c": filters.correlated,
    }
    return _serializer(site_id).dumps(payload)


def decode(site_id: int, cursor: str) -> tuple[Filters, Position]:
    """Open a cursor issued for this site, or raise a 400 saying what is wrong."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{24,400}", cursor):
        raise ApiError(400, MALFORMED)
    try:
        data = _serializer(site_id).loads(cursor)
    except BadPayload:  # signed by us, yet unreadable: cannot happen short of a changed format
        raise ApiError(400, MALFORMED) from None
    except BadSignature:
        raise ApiError(400, ALTERED) from None
    try:
        moment, row_id = _time(data["t"]), data["i"]
        filters = Filters(_time(data["s"]), _time(data["u"]), data["c"])
    except (KeyError, TypeError, ValueError, OverflowError):
        raise ApiError(400, MALFORMED) from None
    if (
        moment is None
        or not _is_int(row_id)
        or not 0 < row_id <= MAX_ID
        or filters.correlated not in (True, False, None)
    ):
        raise ApiError(400, MALFORMED)
    return filters, (moment, row_id)


def _serializer(site_id: int) -> URLSafeSerializer:
    # The site as the salt: another tenant's cursor fails loudly instead of paging oddly.
    return URLSafeSerializer(
        current_app.config["SECRET_KEY"],
        salt=f"wa-handoff page cursor of site {site_id}",
        signer_kwargs={"digest_method": hashlib.sha256},
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _micros(moment: datetime | None) -> int | None:
    return None if moment is None else (moment - EPOCH) // timedelta(microseconds=1)


def _time(micros: Any) -> datetime | None:
    if micros is None:
        return None
    if not _is_int(micros):
        raise ValueError("a time is whole microseconds")
    return EPOCH + timedelta(microseconds=micros)
