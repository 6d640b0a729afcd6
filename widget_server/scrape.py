"""The Prometheus endpoint, /metrics: off unless a token is set, and then only with that token."""

import hmac
import os
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from widget_server.conversions.conversion_tables import ConversionDelivery
from widget_server.db import db
from widget_server.errors import ApiError
from widget_server.models import utcnow
from widget_server.webhooks.tables import PENDING, WebhookDelivery

bp = Blueprint("scrape", __name__)
QUEUES: dict[str, type[WebhookDelivery] | type[ConversionDelivery]] = {
    "webhook": WebhookDelivery,
    "conversion": ConversionDelivery,
}


@bp.get("/metrics")
def metrics() -> Response:
    """Answer the counters of every process and the queues' state in Prometheus' text format."""
    token = current_app.config["METRICS_TOKEN"]
    if token is None:
        raise ApiError(404, "metrics are off: set WIDGET_METRICS_TOKEN to turn them on")
    given = request.headers.get("Authorization", "")
    if not hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        raise ApiError(401, "metrics need Authorization: Bearer <WIDGET_METRICS_TOKEN>")
    counters = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # Under gunicorn each worker (and the webhook worker) writes its own files: add them up.
        counters = CollectorRegistry()
        MultiProcessCollector(counters)  # type: ignore[no-untyped-call]
    queues = CollectorRegistry()
    queues.register(_Queues())
    return Response(
        generate_latest(counters) + generate_latest(queues), mimetype=CONTENT_TYPE_LATEST
    )


class _Queues:
    """Read the outbox at scrape time: how much waits, and how long the oldest due one has."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        depth = GaugeMetricFamily("wah_queue_depth", "Pending deliveries", labels=["kind"])
        age = GaugeMetricFamily(
            "wah_oldest_due_delivery_seconds", "Age of the oldest due delivery", labels=["kind"]
        )
        now = utcnow()
        try:
            for kind, table in QUEUES.items():
                pending, oldest = db.session.execute(
                    select(func.count(), func.min(table.next_attempt_at)).where(
                        table.state == PENDING
                    )
                ).one()
                depth.add_metric([kind], pending)
                due = oldest is not None and oldest.replace(tzinfo=now.tzinfo) <= now
                age.add_metric([kind], (now - oldest.replace(tzinfo=now.tzinfo)).total_seconds()
                               if due else 0.0)  # fmt: skip
        except SQLAlchemyError:
            db.session.rollback()
            return  # counters still answer while the database is away
        finally:
            db.session.rollback()
        yield depth
        yield age
