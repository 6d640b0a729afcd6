"""One POST of a conversion: JSON out, the platform's verdict back, never longer than a deadline."""

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import requests

from widget_server.conversions.kinds import Request
from widget_server.webhooks.deadline import Deadline
from widget_server.webhooks.guard import BlockedDestination
from widget_server.webhooks.sender import MAX_RESPONSE_BYTES, parse_retry_after


@dataclass
class Result:
    """What one attempt produced; `auth` marks a refused credential (token, secret, key)."""

    status: int | None = None
    error: str | None = None
    retry_after: float | None = None
    auth: bool = False
    text: str = ""  # the start of the answer's body

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def permanent(self) -> bool:
        """Tell whether sending the same body again cannot succeed (a 4xx other than auth)."""
        status = self.status or 0
        return 400 <= status < 500 and status not in (408, 429) and not self.auth


def post(session: requests.Session, request: Request, timeout: tuple[float, float]) -> Result:
    """POST the request's JSON once, without following redirects; never raise."""
    limit = sum(timeout)
    with Deadline(limit) as deadline:
        result = _attempt(session, request, timeout)
    if deadline.expired:
        return Result(error=f"Timeout: no complete answer within {limit:g} s")
    return result


def _attempt(session: requests.Session, request: Request, timeout: tuple[float, float]) -> Result:
    now = datetime.now(UTC)
    headers = {"Content-Type": "application/json", **request.headers}
    try:
        response = session.post(
            request.url,
            data=json.dumps(request.body, separators=(",", ":")).encode(),
            headers=headers,
            timeout=timeout,
            allow_redirects=False,
            stream=True,
        )
    except BlockedDestination as error:
        return Result(error=str(error))
    except requests.RequestException as error:
        # The message may quote the URL, which for GA4 holds the api_secret.
        return Result(error=type(error).__name__ + f" posting to {request.redacted}")
    with response:
        try:
            text = response.raw.read(MAX_RESPONSE_BYTES, decode_content=True)
        except Exception as error:
            text = f"<body unreadable: {error}>".encode()
    snippet = text[:300].decode("utf-8", "replace").strip()
    result = Result(response.status_code, auth=response.status_code in (401, 403), text=snippet)
    if not result.ok:
        result.error = f"HTTP {response.status_code}" + (f": {snippet}" if snippet else "")
    if response.status_code in (429, 503):
        result.retry_after = parse_retry_after(response.headers.get("Retry-After"), now)
    return result
