"""`destinations test`: one sample conversion in the platform's test mode, and what it said."""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from widget_server.conversions import dispatch
from widget_server.conversions.conversion_tables import FAILING, OK
from widget_server.conversions.destinations import DestinationError, get
from widget_server.conversions.facts import Facts
from widget_server.conversions.google_auth import Tokens
from widget_server.conversions.kinds import Skip
from widget_server.db import db
from widget_server.models import isoformat, utcnow
from widget_server.webhooks.settings import Settings
from widget_server.webhooks.transport import new_session

SAMPLE = {
    "correlation_id": "O-Test000",
    "click_url": "https://example.com/?gclid=TEST",
    "parsed_params": {"gclid": "TEST", "fbclid": "TEST", "ctwa_clid": "TEST"},
    "ip_address": "192.0.2.1",
    "user_agent": "wa-handoff destinations test",
    "consent": "granted",
    "browser_ids": {"fbp": "fb.1.1700000000000.1", "ga": "GA1.1.1.1700000000"},
    "value": 1.0,
    "currency": "EUR",
}


def probe(
    destination_id: int, config: Mapping[str, Any], test_event_code: str | None
) -> tuple[bool, str]:
    """Send a sample conversion without counting it; record the verdict on the destination."""
    destination = get(destination_id)
    kind = destination.kind
    if kind.startswith("meta") and not test_event_code:
        raise DestinationError(
            "Meta has no validate-only mode: pass --test-event-code from Events Manager's "
            "Test events tab"
        )
    now = utcnow()
    trigger, event_name = next(iter(destination.options["events"].items()))
    data = {**SAMPLE, "created_at": isoformat(now - timedelta(minutes=1))}
    if kind == "meta_web":
        data["parsed_params"] = {"fbclid": "TEST"}
    job = dispatch.Job(
        0, 0, destination.id, kind, destination.options, destination.secrets, event_name,
        Facts.from_event(data, trigger, now),
    )  # fmt: skip
    job.options.setdefault("graph_version", config["META_GRAPH_VERSION"])
    request = dispatch.prepare(job, now)
    if isinstance(request, Skip):
        return False, request.reason
    if kind == "google_ads":
        request.body["validateOnly"] = True
    elif kind == "ga4":
        request.url = request.url.replace("/mp/collect", "/debug/mp/collect", 1)
    else:
        request.body["test_event_code"] = test_event_code
    settings = Settings.from_config(config)
    session = new_session(settings.allow_private)
    try:
        result = dispatch.send(
            session, Tokens(session), job, request, (settings.connect_timeout, settings.timeout)
        )
    finally:
        session.close()
    ok, verdict = result.ok, result.error or f"HTTP {result.status}: {result.text}".strip(": ")
    if ok and kind == "ga4" and '"description"' in result.text:
        ok = False  # GA4's validation server answers 200 and lists what is wrong
    destination.status = OK if ok else FAILING
    if not ok:
        destination.last_error, destination.last_error_at = verdict, now
    db.session.commit()
    return ok, verdict
