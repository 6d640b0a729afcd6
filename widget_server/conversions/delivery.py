"""The conversion half of a worker step: claim due conversions, send them, record outcomes."""

import logging
import threading
import time

import requests
import sqlalchemy as sa

from widget_server.conversions import conversion_queue, dispatch
from widget_server.conversions.google_auth import Tokens
from widget_server.conversions.kinds import Skip
from widget_server.conversions.posting import Result
from widget_server.db import db
from widget_server.models import utcnow
from widget_server.webhooks.settings import Settings

log = logging.getLogger("widget_server.conversions")


class Conversions:
    """Deliver conversions with the webhook worker's settings, session and stop signal."""

    def __init__(
        self,
        settings: Settings,
        session: requests.Session,
        stopping: threading.Event,
        graph_version: str,
    ):
        self.settings = settings
        self.graph_version = graph_version
        self.session = session
        self.stopping = stopping
        self.tokens = Tokens(session)
        # A send may start only while its lease outlasts the longest possible attempt.
        self.send_window = settings.lease_seconds - (
            settings.connect_timeout + settings.timeout + 2
        )

    def step(self, name: str) -> int:
        """Claim one batch, send it and record the outcomes; return how many were claimed."""
        if not conversion_queue.anything_due():
            return 0
        started = time.monotonic()
        token, jobs = conversion_queue.claim(self.settings, name)
        results: list[tuple[dispatch.Job, Result | Skip]] = []
        released: list[dispatch.Job] = []
        refused: dict[int, Result | Skip] = {}
        for job in jobs:
            job.options.setdefault("graph_version", self.graph_version)
            if self.stopping.is_set() or time.monotonic() - started > self.send_window:
                released.append(job)
            elif job.destination_id in refused:
                # A destination that refused a credential refuses the rest of the batch too.
                results.append((job, refused[job.destination_id]))
            else:
                outcome = self.send(job)
                results.append((job, outcome))
                if getattr(outcome, "auth", False):
                    refused[job.destination_id] = outcome
        self._record(token, results, released)
        return len(jobs)

    def send(self, job: dispatch.Job) -> Result | Skip:
        """Make one attempt at a job (or find it skipped) and log how it went."""
        request = dispatch.prepare(job, utcnow())
        if isinstance(request, Skip):
            log.info("conversion %s skipped: %s", job.id, request.reason)
            return request
        limits = (self.settings.connect_timeout, self.settings.timeout)
        result = dispatch.send(self.session, self.tokens, job, request, limits)
        level = logging.INFO if result.ok else logging.WARNING
        log.log(level, "conversion %s to %s: %s", job.id, request.redacted, result.error or "ok")
        return result

    def _record(
        self,
        token: str,
        results: list[tuple[dispatch.Job, Result | Skip]],
        released: list[dispatch.Job],
    ) -> None:
        # As for webhooks: outcomes not written are sent again after the lease, so retry a bit.
        for attempt in range(3):
            try:
                return conversion_queue.record(self.settings, token, results, released)
            except sa.exc.OperationalError:
                db.session.rollback()
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
