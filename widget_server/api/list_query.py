"""Parse the attribution listing's query string, with a precise 400 for each mistake."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from werkzeug.datastructures import MultiDict

from widget_server.api import cursor
from widget_server.errors import ApiError
from widget_server.sessions.rows import Filters, Position

ALLOWED = ("correlated", "cursor", "limit", "since", "until")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class ListQuery:
    """A parsed listing request."""

    filters: Filters
    limit: int
    after: Position | None


def list_query(site_id: int, args: MultiDict) -> ListQuery:
    """Parse limit, cursor and the filters; a cursor carries the filters it was issued with."""
    for name in args:
        if name not in ALLOWED:
            raise ApiError(400, f"unknown query parameter {name!r}; allowed: {', '.join(ALLOWED)}")
        if len(args.getlist(name)) > 1:
            raise ApiError(400, f"query parameter {name} is given more than once")
    limit = _limit(args.get("limit"))
    filters = Filters(
        since=_time("since", args.get("since")),
        until=_time("until", args.get("until")),
        correlated=_flag("correlated", args.get("correlated")),
    )
    if filters.since and filters.until and filters.since >= filters.until:
        raise ApiError(400, "since must be earlier than until")
    if "cursor" not in args:
        return ListQuery(filters, limit, None)
    sealed, after = cursor.decode(site_id, args["cursor"])
    for name in ("since", "until", "correlated"):
        if name in args and getattr(filters, name) != getattr(sealed, name):
            raise ApiError(
                400, f"{name} differs from the cursor's; repeat it unchanged or leave it out"
            )
    return ListQuery(sealed, limit, after)


def _limit(raw: str | None) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
    return int(raw)


def _time(name: str, raw: str | None) -> datetime | None:
    if raw is None:
        return None
    # An unencoded "+02:00" arrives as " 02:00": read the space back as the sign it was.
    text = re.sub(r" (\d\d(:?\d\d)?)$", r"+\1", raw.strip())
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ApiError(
            400, f"{name} must be an ISO 8601 time with a zone, e.g. 2024-05-01T00:00:00Z"
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise ApiError(400, f"{name} is out of range") from None


def _flag(name: str, raw: str | None) -> bool | None:
    if raw is None:
        return None
    if raw not in ("true", "false"):
        raise ApiError(400, f"{name} must be true or false")
    return raw == "true"
