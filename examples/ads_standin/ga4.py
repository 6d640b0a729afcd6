"""GA4's Measurement Protocol: `POST /mp/collect?measurement_id=...&api_secret=...`.

GA4 itself answers 2xx to anything; like its validation server, the stand-in says what is wrong.
"""

import hmac
import re
import time

from flask import Blueprint, current_app, jsonify, request

from examples.ads_standin import journal

bp = Blueprint("ga4", __name__)
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
SEVENTY_TWO_HOURS = 72 * 3600 * 1_000_000


def invalid(status: int, field: str, description: str):
    message = {"fieldPath": field, "description": description, "validationCode": "VALUE_INVALID"}
    response = jsonify({"validationMessages": [message]})
    response.status_code = status
    return response


@bp.post("/debug/mp/collect")
def debug():
    """Check a request as the validation server does: always 200, with what is wrong."""
    answer = collect()
    if isinstance(answer, tuple):  # accepted: GA4's debug endpoint keeps nothing
        with journal().lock:
            journal().entries.pop()
        return jsonify({"validationMessages": []})
    answer.status_code = 200
    return answer


@bp.post("/mp/collect")
def collect():
    """Take events of one client for one web data stream."""
    measurement_id = request.args.get("measurement_id", "")
    secret = request.args.get("api_secret", "")
    if not measurement_id.startswith("G-"):
        return invalid(400, "measurement_id", "measurement_id (G-...) is required")
    expected = current_app.config["GA4_API_SECRET"]
    if not hmac.compare_digest(secret.encode(), expected.encode()):
        return invalid(403, "api_secret", "api_secret is missing or does not match the stream")
    body = request.get_json(silent=True)
    problem = refusal(body) if isinstance(body, dict) else ("", "the body must be a JSON object")
    if problem:
        return invalid(400, *problem)
    status = journal().fault("ga4")
    if status:
        return invalid(status, "", "backend error")
    journal().record("ga4", body, measurement_id=measurement_id)
    return "", 204


def refusal(body: dict) -> tuple[str, str] | None:
    """Return (field, description) of what the validation server would report, or None."""
    if not body.get("client_id"):
        return "client_id", "client_id is required for web streams"
    stamp = body.get("timestamp_micros")
    if stamp is not None and stamp < time.time() * 1_000_000 - SEVENTY_TWO_HOURS:
        return "timestamp_micros", "timestamp_micros may be at most 72 hours in the past"
    events = body.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= 25:
        return "events", "1 to 25 events are required"
    for index, event in enumerate(events):
        params = event.get("params") or {}
        if not NAME.match(event.get("name", "")):
            return f"events[{index}].name", "a name of letters, digits and _ is required"
        if "value" in params and not params.get("currency"):
            return f"events[{index}].params.currency", "currency is required with value"
        if event["name"] == "purchase" and not params.get("transaction_id"):
            return f"events[{index}].params.transaction_id", "purchase requires transaction_id"
    return None
