"""Sign one event per the Standard Webhooks spec and POST it once."""

import math
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
from standardwebhooks import Webhook

from widget_server.webhooks.deadline import Deadline
from widget_server.webhooks.guard import BlockedDestination

MAX_RESPONSE_BYTES = 64 * 1024


@dataclass
class Outcome:
    """What one attempt produced."""

    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    timed_out: bool = False
    forced: bool = False  # cut off by the deadline, whatever the status said

    @property
    def ok(self) -> bool:
        return not self.forced and self.status is not None and 200 <= self.status < 300


def sign(msg_id: str, body: str, keys: list[str], now: datetime) -> dict[str, str]:
    """Return the three Standard Webhooks headers, one signature per key."""
    signatures = " ".join(Webhook(key).sign(msg_id, now, body) for key in keys)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(math.floor(now.timestamp())),
        "webhook-signature": signatures,
    }


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Read a Retry-After header (seconds or an HTTP date) as seconds from now."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


def post(
    session: requests.Session,
    url: str,
    msg_id: str,
    body: str,
    keys: list[str],
    timeout: tuple[float, float],
) -> Outcome:
    """POST a signed body once without following redirects; never raise for delivery failures.

    timeout is (connect, read) seconds; the whole attempt never lasts longer than their sum.
    """
    limit = sum(timeout)
    with Deadline(limit) as deadline:
        outcome = _attempt(session, url, msg_id, body, keys, timeout)
    if deadline.expired:
        # Even a 200 status line does not count when the rest of the answer never came.
        error = f"Timeout: no complete answer within {limit:g} s"
        return Outcome(status=outcome.status, error=error, timed_out=True, forced=True)
    return outcome


def _attempt(
    session: requests.Session,
    url: str,
    msg_id: str,
    body: str,
    keys: list[str],
    timeout: tuple[float, float],
) -> Outcome:
    now = datetime.now(UTC)
    headers = {"Content-Type": "application/json", **sign(msg_id, body, keys, now)}
    try:
        response = session.post(
            url,
            data=body.encode(),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
    except BlockedDestination as error:
        return Outcome(error=str(error))
    except requests.RequestException as error:
        timed_out = isinstance(error, requests.Timeout)
        return Outcome(error=f"{type(error).__name__}: {error}"[:1000], timed_out=timed_out)
    with response:
        try:
            # Reading to the end hands the connection back to the pool; a huge body is cut off.
            text = response.raw.read(MAX_RESPONSE_BYTES, decode_content=True)
        except Exception as error:
            text = f"<body unreadable: {error}>".encode()
    outcome = Outcome(status=response.status_code)
    if not outcome.ok:
        snippet = text[:300].decode("utf-8", "replace").strip()
        if response.is_redirect:
            snippet = f"redirect to {response.headers.get('Location')!r} not followed"
        outcome.error = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    if response.status_code in (429, 503):
        outcome.retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
    return outcome
