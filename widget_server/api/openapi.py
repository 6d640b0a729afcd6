"""Serve the OpenAPI document of every endpoint."""

from flask import Blueprint, Response, jsonify

from widget_server.api import list_query
from widget_server.api.spec import (
    CORRELATION,
    DEVICE_ID,
    ERASED,
    ERASURE,
    ERROR,
    EXPORT,
    ID,
    LEAD,
    PAGE,
    REFERRAL,
    ROW,
    ROW_ID,
    TIME,
    WHATSAPP_ID,
    error,
    json_body,
    nullable,
    ok,
    query,
    secured,
)  # fmt: skip

bp = Blueprint("openapi", __name__)

ROW_REF = {"$ref": "#/components/schemas/Row"}
LISTING = [
    query("limit", {"type": "integer", "minimum": 1, "maximum": list_query.MAX_LIMIT},
          f"Rows per page, default {list_query.DEFAULT_LIMIT}"),
    query("cursor", {"type": "string"}, "next_cursor of the previous page; it keeps the filters"),
    query("since", TIME, "Rows created at or after this time (inclusive)"),
    query("until", TIME, "Rows created before this time (exclusive); later than since"),
    query("correlated", {"type": "string", "enum": ["true", "false"]},
          "Only rows linked (true) or not yet linked (false) to a conversation"),
]  # fmt: skip
CLICK = {
    "type": "object",
    "required": ["correlation_id", "whatsapp_url"],
    "properties": {"correlation_id": nullable(ID), "whatsapp_url": {"type": "string"}},
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "wa-handoff widget server", "version": "0.1.0"},
    "paths": {
        "/widget.js": {"get": {
            "summary": "The embeddable script",
            "responses": {
                "200": {"description": "The script",
                        "content": {"text/javascript": {"schema": {"type": "string"}}}},
                "304": {"description": "Not modified since the cached copy"},
                "404": error("The script is not built into this server"),
            },
        }},
        "/widget.{version}.js": {"get": {
            "summary": "The script of one build, immutable, for tags pinned with SRI",
            "parameters": [
                {"name": "version", "in": "path", "required": True,
                 "schema": {"type": "string", "pattern": "^[0-9a-f]{16}$"},
                 "description": "16 hex digits of the script's SHA-256 (`sites embed` prints it)"},
            ],
            "responses": {
                "200": {"description": "The script of that build",
                        "content": {"text/javascript": {"schema": {"type": "string"}}}},
                "304": {"description": "Not modified since the cached copy"},
                "404": error("This server holds another version of the script"),
            },
        }},
        "/c/{site_key}": {"get": {
            "summary": "Issue or reuse the visitor's correlation ID and go to WhatsApp",
            "parameters": [
                {"name": "site_key", "in": "path", "required": True, "schema": {"type": "string"}},
                query("device_id", {"type": "string"}, "The widget's opaque device id"),
                query("url", {"type": "string"}, "The page URL, whose UTM parameters are kept"),
                query("ref", {"type": "string"}, "The page's referrer"),
                query("consent", {"type": "string"},
                      "granted, denied or unknown (anything else is unknown)"),
                query("fbp", {"type": "string"}, "The _fbp cookie; dropped without consent"),
                query("fbc", {"type": "string"}, "The _fbc cookie; dropped without consent"),
                query("ga", {"type": "string"}, "The _ga cookie; dropped without consent"),
            ],
            "responses": {
                "200": {"description": "With Accept: application/json, the handoff",
                        "content": {"application/json": {"schema": CLICK}}},
                "302": {"description": "Redirect to wa.me with the pre-filled message",
                        "headers": {"Location": {"schema": {"type": "string"}}}},
                "404": error("Unknown site"),
                "503": error("The database is unavailable and the site not known yet"),
            },
        }},
        "/integrations/external/attribution": {"get": secured(
            "attribution:read",
            {"200": {"description": "A page of rows, newest first", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Page"}}}}},
            summary="List the site's attribution rows, newest first",
            parameters=LISTING,
        )},
        "/integrations/external/attribution/{correlation_id}": {
            "parameters": [ROW_ID],
            "get": secured(
                "attribution:read",
                {"200": ok(ROW_REF), "404": error("No such row for this key's site")},
                summary="Read one attribution row",
            ),
            "patch": secured(
                "attribution:write",
                {"200": ok(ROW_REF), "404": error("No such row for this key's site"),
                 "413": error("Body too large"), "415": error("Body is not application/json")},
                summary="Set or clear the row's lead type; a change enqueues lead.updated",
                requestBody=json_body(LEAD),
            ),
            "delete": secured(
                "privacy:write",
                {"200": ok(ERASED, "The session is erased; session.erased is enqueued"),
                 "404": error("No such row for this key's site")},
                summary="Erase the session and redact every webhook about it",
            ),
        },
        "/integrations/external/erasures": {"post": secured(
            "privacy:write",
            {"200": ok(ERASED, "Every matching session is erased; session.erased for each"),
             "413": error("Body too large"), "415": error("Body is not application/json")},
            summary="Erase every session of a device id or a WhatsApp id",
            requestBody=json_body(ERASURE),
        )},
        "/integrations/external/exports": {"get": secured(
            "privacy:read",
            {"200": ok(EXPORT, "Everything held; empty lists when nothing is")},
            summary="Export everything held about one person; give exactly one parameter",
            parameters=[
                query("correlation_id", ID, "One session"),
                query("device_id", DEVICE_ID, "Every session of the widget's device id"),
                query("whatsapp_id", WHATSAPP_ID, "Every session linked to the WhatsApp id"),
            ],
        )},
        "/integrations/external/correlations": {"post": secured(
            "correlations:write",
            {"200": ok(ROW_REF, "The linked row (unchanged if it was linked before)"),
             "404": error("No session, or several differing only in case, for this site, "
                          "or none clicked within the link window"),
             "409": error("Already linked to another WhatsApp sender: refused and recorded"),
             "413": error("Body too large"), "415": error("Body is not application/json"),
             "429": error("Too many attempts of this sender, or of this key's misses")},
            summary="Link a WhatsApp conversation to the session its message referenced",
            requestBody=json_body(CORRELATION),
        )},
        "/integrations/external/referrals": {"post": secured(
            "correlations:write",
            {"200": ok(ROW_REF, "The ad's row (the same one for a repeated message_id)"),
             "413": error("Body too large"), "415": error("Body is not application/json")},
            summary="Record a conversation started from a click-to-WhatsApp ad as its own row",
            requestBody=json_body(REFERRAL),
        )},
        "/healthz": {"get": {
            "summary": "Liveness with a database check",
            "responses": {"200": ok({"type": "object"}, "The database answers"),
                          "503": error("The database does not answer")},
        }},
        "/readyz": {"get": {
            "summary": "Readiness: the database commits a write",
            "responses": {"200": ok({"type": "object"}, "The database takes writes"),
                          "503": error("The database cannot take writes")},
        }},
        "/metrics": {"get": {
            "summary": "Prometheus counters and queue state, with the WIDGET_METRICS_TOKEN",
            "security": [{"metricsToken": []}],
            "responses": {
                "200": {"description": "Prometheus' text format",
                        "content": {"text/plain": {"schema": {"type": "string"}}}},
                "401": error("Missing or wrong Authorization: Bearer <token>"),
                "404": error("Metrics are off: WIDGET_METRICS_TOKEN is not set"),
            },
        }},
        "/openapi.json": {"get": {
            "summary": "This document",
            "responses": {"200": {"description": "OpenAPI 3.1",
                                  "content": {"application/json": {"schema": {"type": "object"}}}}},
        }},
    },
    "components": {
        "schemas": {"Row": ROW, "Page": PAGE, "Error": ERROR},
        "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"},
                            "metricsToken": {"type": "http", "scheme": "bearer"}},
    },
}  # fmt: skip


@bp.get("/openapi.json")
def document() -> Response:
    """Answer the OpenAPI document."""
    return jsonify(DOCUMENT)
