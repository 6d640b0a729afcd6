"""Send one conversion: build the platform's request, authorize it, post it."""

from dataclasses import dataclass
from datetime import datetime

import requests

from widget_server.conversions import google_auth, posting
from widget_server.conversions.catalogue import KINDS
from widget_server.conversions.facts import Facts
from widget_server.conversions.kinds import Request, Skip


@dataclass
class Job:
    """What sending one conversion needs, detached from the database session."""

    id: int
    attempts: int
    destination_id: int
    kind: str
    options: dict
    secrets: dict
    event_name: str
    facts: Facts


def prepare(job: Job, now: datetime) -> Request | Skip:
    """Build the request for a job, or the reason the platform would not take it."""
    return KINDS[job.kind].build(job.options, job.secrets, job.facts, job.event_name, now)


def send(
    session: requests.Session,
    tokens: google_auth.Tokens,
    job: Job,
    request: Request,
    timeout: tuple[float, float],
) -> posting.Result:
    """Authorize (Google's OAuth token) and post the request once."""
    if job.kind == "google_ads":
        try:
            request.headers.update(
                tokens.header(
                    job.destination_id, job.secrets["credentials"], job.options.get("token_uri")
                )
            )
        except google_auth.RefreshError as error:
            return posting.Result(error=f"token endpoint refused: {error}"[:500], auth=True)
        except google_auth.TransportError as error:
            return posting.Result(error=f"token endpoint unreachable: {error}"[:500])
    result = posting.post(session, request, timeout)
    if result.auth and job.kind == "google_ads":
        tokens.forget(job.destination_id)
    return result
