"""Google's Data Manager API: `POST /v1/events:ingest`, and the OAuth token endpoint."""

import base64
import hmac
import json
import secrets
from datetime import datetime

from flask import Blueprint, current_app, jsonify, request

from examples.ads_standin import journal

bp = Blueprint("google", __name__)
SCOPE = "https://www.googleapis.com/auth/datamanager"
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
CONSENT = {"CONSENT_STATUS_UNSPECIFIED", "CONSENT_GRANTED", "CONSENT_DENIED"}


def status_error(code: int, status: str, message: str):
    """Answer with google.rpc.Status in JSON, as Google APIs do."""
    response = jsonify({"error": {"code": code, "message": message, "status": status}})
    response.status_code = code
    return response


def oauth_error(kind: str, description: str):
    response = jsonify({"error": kind, "error_description": description})
    response.status_code = 400
    return response


@bp.post("/token")
def token():
    """Issue an access token for a service account's JWT or an authorized user's refresh token."""
    form, config = request.form, current_app.config
    grant = form.get("grant_type")
    if grant == JWT_GRANT:
        claims = jwt_claims(form.get("assertion", ""))
        if claims is None or not claims.get("iss") or SCOPE not in claims.get("scope", ""):
            return oauth_error("invalid_grant", "Invalid JWT: needs iss and the datamanager scope")
    elif grant == "refresh_token":
        expected = (
            config["GOOGLE_CLIENT_ID"],
            config["GOOGLE_CLIENT_SECRET"],
            config["GOOGLE_REFRESH_TOKEN"],
        )
        presented = (form.get("client_id"), form.get("client_secret"), form.get("refresh_token"))
        if not all(presented):
            return oauth_error("invalid_request", "client_id, client_secret, refresh_token needed")
        pairs = zip(presented, expected, strict=True)
        if not all(hmac.compare_digest(given or "", wanted) for given, wanted in pairs):
            return oauth_error("invalid_grant", "Token has been expired or revoked.")
    else:
        return oauth_error("unsupported_grant_type", f"Invalid grant_type: {grant}")
    issued = "ya29.standin-" + secrets.token_urlsafe(16)
    with journal().lock:
        journal().tokens.add(issued)
    journal().record("google_token", {"grant_type": grant})
    return jsonify({"access_token": issued, "expires_in": 3599, "token_type": "Bearer"})


def jwt_claims(assertion: str) -> dict | None:
    """Read a JWT's claims (the stand-in trusts its signature)."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return None


@bp.post("/v1/events:ingest")
def ingest():
    """Take events for the destinations of the request."""
    presented = request.headers.get("Authorization", "").removeprefix("Bearer ")
    with journal().lock:
        known = presented in journal().tokens
    if not known:
        message = "Request had invalid authentication credentials. Expected OAuth 2 access token."
        return status_error(401, "UNAUTHENTICATED", message)
    body = request.get_json(silent=True)
    problem = refusal(body) if isinstance(body, dict) else "the body must be a JSON object"
    if problem:
        return status_error(400, "INVALID_ARGUMENT", problem)
    status = journal().fault("google")
    if status:
        return status_error(status, "INTERNAL", "Internal error encountered.")
    # validateOnly checks the request and keeps nothing, as Google does.
    journal().record("google_validate" if body.get("validateOnly") else "google", body)
    return jsonify({"requestId": secrets.token_hex(16)})


def refusal(body: dict) -> str | None:
    """Return what Google's validation would say about an IngestEventsRequest, or None."""
    destinations = body.get("destinations")
    if not isinstance(destinations, list) or not destinations:
        return "destinations: required"
    for index, destination in enumerate(destinations):
        account = destination.get("operatingAccount") or {}
        if not account.get("accountId") or not str(account["accountId"]).isdigit():
            return f"destinations[{index}].operatingAccount.accountId: required, digits only"
        if account.get("accountType") != "GOOGLE_ADS":
            return f"destinations[{index}].operatingAccount.accountType: must be GOOGLE_ADS"
        if not destination.get("productDestinationId"):
            return f"destinations[{index}].productDestinationId: required"
    events = body.get("events")
    if not isinstance(events, list) or not 1 <= len(events) <= 2000:
        return "events: 1 to 2000 events required"
    for index, event in enumerate(events):
        problem = event_refusal(body, event)
        if problem:
            return f"events[{index}].{problem}"
    for key in ("adUserData", "adPersonalization"):
        if (body.get("consent") or {}).get(key, "CONSENT_STATUS_UNSPECIFIED") not in CONSENT:
            return f"consent.{key}: unknown value"
    return None


def event_refusal(body: dict, event: dict) -> str | None:
    try:
        datetime.fromisoformat(event["eventTimestamp"].replace("Z", "+00:00"))
    except (KeyError, AttributeError, ValueError):
        return "eventTimestamp: required, RFC 3339"
    ids = event.get("adIdentifiers") or {}
    users = (event.get("userData") or {}).get("userIdentifiers") or []
    if not any(ids.get(key) for key in ("gclid", "gbraid", "wbraid")) and not users:
        return "adIdentifiers or userData: an ad click id or a user identifier is required"
    if users and body.get("encoding") not in ("HEX", "BASE64"):
        return "encoding: required with userData"
    for user in users:
        phone = user.get("phoneNumber", "")
        if "phoneNumber" in user and (len(phone) != 64 or phone != phone.lower()):
            return "userData.userIdentifiers.phoneNumber: must be a SHA-256 hash in hex"
    if "conversionValue" in event and not event.get("currency"):
        return "currency: required with conversionValue"
    for key in ("adUserData", "adPersonalization"):
        if (event.get("consent") or {}).get(key, "CONSENT_STATUS_UNSPECIFIED") not in CONSENT:
            return f"consent.{key}: unknown value"
    return None
