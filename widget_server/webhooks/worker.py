"""The delivery worker: claim due deliveries, send them, record what happened."""

import logging
import os
import socket
import threading
import time
from dataclasses import replace

import sqlalchemy as sa
from flask import Flask
from limits import RateLimitItemPerSecond

from widget_server.conversions.delivery import Conversions
from widget_server.db import db
from widget_server.webhooks import sender
from widget_server.webhooks.periodic import Periodic, Schedule
from widget_server.webhooks.queue import Job, Result, anything_due, claim, record
from widget_server.webhooks.settings import Settings
from widget_server.webhooks.transport import new_session

log = logging.getLogger("widget_server.webhooks")


class Worker:
    """A loop that delivers webhooks and conversions until stopped; run several to scale out."""

    def __init__(self, app: Flask, name: str | None = None, periodic: tuple[Periodic, ...] = ()):
        self.app = app
        self.settings = Settings.from_config(app.config)
        self.name = name or f"{socket.gethostname()}:{os.getpid()}"
        self.session = new_session(self.settings.allow_private)
        self.stopping = threading.Event()
        # Jobs such as retention, handed in by the caller: they live in higher layers.
        self.schedule = Schedule(periodic, self.name)
        # A send may start only while its lease outlasts the longest possible attempt.
        self.send_window = self.settings.lease_seconds - (
            self.settings.connect_timeout + self.settings.timeout + 2
        )
        if self.send_window <= 0:
            raise ValueError("WEBHOOK_LEASE_SECONDS must exceed both timeouts plus 2 seconds")
        self.conversions = Conversions(
            self.settings, self.session, self.stopping, app.config["META_GRAPH_VERSION"]
        )

    def run(self, once: bool = False) -> None:
        """Deliver until stop() (or, with once, until nothing is due)."""
        with self.app.app_context():
            while not self.stopping.is_set():
                try:
                    self.schedule.tick()
                    claimed = self.step() + self.conversions.step(self.name)
                except (sa.exc.OperationalError, sa.exc.InterfaceError) as error:
                    log.warning("database unavailable, retrying in 1 s: %s", error.orig)
                    db.session.rollback()
                    self.stopping.wait(1.0)
                    claimed = 0
                if once and claimed == 0:
                    return
                if claimed < self.settings.batch_size:
                    self.stopping.wait(self.settings.poll_interval)

    def stop(self) -> None:
        """Ask the loop to finish the delivery in flight and return."""
        self.stopping.set()

    def step(self) -> int:
        """Claim one batch, send it and record the outcomes; return how many were claimed."""
        if not anything_due():
            return 0
        started = time.monotonic()
        token, jobs = claim(self.settings, self.name)
        results: list[Result] = []
        released: list[Job] = []
        deferred: list[Job] = []
        gone: set[int] = set()
        stalled: dict[int, sender.Outcome] = {}
        for job in jobs:
            if self.stopping.is_set() or time.monotonic() - started > self.send_window:
                released.append(job)
            elif job.endpoint_disabled or job.endpoint_id in gone:
                results.append((job, None))
            elif job.endpoint_id in stalled:
                # One timeout per endpoint and batch: waiting on a dead endpoint again for each
                # of its deliveries would hold up every other site's webhooks.
                results.append((job, stalled[job.endpoint_id]))
            elif job.throttle_rate and not self._may_send(job):
                deferred.append(job)
            else:
                outcome = self.send(job)
                results.append((job, outcome))
                if outcome.status == 410:
                    gone.add(job.endpoint_id)
                if outcome.timed_out:
                    skipped = f"not sent, endpoint timed out in this batch: {outcome.error}"
                    stalled[job.endpoint_id] = replace(outcome, error=skipped)
        self._record(token, results, released, deferred)
        return len(jobs)

    def send(self, job: Job) -> sender.Outcome:
        """Make one attempt at a job and log how it went."""
        limits = (self.settings.connect_timeout, self.settings.timeout)
        outcome = sender.post(self.session, job.url, job.msg_id, job.body, job.keys, limits)
        level = logging.INFO if outcome.ok else logging.WARNING
        log.log(level, "delivery %s to %s: %s", job.id, job.url, outcome.error or "ok")
        return outcome

    def _may_send(self, job: Job) -> bool:
        """Spend one of the endpoint's sends this second; tell whether there was one left."""
        # The app's one limiter (widget_server.limits, registered by create_app): with Redis
        # behind it, every worker on every host shares the endpoint's rate.
        limiter = self.app.extensions["rate_limiter"]
        if job.throttle_rate is None:
            return True
        item = RateLimitItemPerSecond(job.throttle_rate)
        try:
            return bool(limiter.hit(item, "webhook-endpoint", str(job.endpoint_id)))
        except Exception as error:  # a dead Redis must not stop deliveries: send unthrottled
            log.warning("throttle of endpoint %s not checked: %s", job.endpoint_id, error)
            return True

    def _record(
        self, token: str, results: list[Result], released: list[Job], deferred: list[Job]
    ) -> None:
        # Outcomes not written are sent again once the lease ends, so a busy database is
        # worth a few tries before giving up.
        for attempt in range(3):
            try:
                return record(self.settings, token, results, released, deferred)
            except sa.exc.OperationalError:
                db.session.rollback()
                if attempt == 2:
                    raise
                time.sleep(0.2 * (attempt + 1))
