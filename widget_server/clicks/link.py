"""The click link: clean what the widget sent, record the click, send the visitor to WhatsApp."""

import re

from flask import Blueprint, Response, current_app, jsonify, redirect, request
from werkzeug.datastructures import Headers
from werkzeug.wrappers import Response as WerkzeugResponse

from widget_server.clicks.cleaning import (
    clean_consent,
    clean_cookie,
    clean_device_id,
    clean_page_url,
    clean_referrer,
    clean_text,
    query_args,
)
from widget_server.clicks.client_ip import client_ip
from widget_server.clicks.crawlers import is_crawler
from widget_server.clicks.recording import Click, record_click
from widget_server.errors import ApiError

bp = Blueprint("widget", __name__)

MAX_USER_AGENT = 512
SITE_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


@bp.get("/c/<site_key>", provide_automatic_options=False)
def click(site_key: str) -> Response | WerkzeugResponse:
    """Issue or reuse the visitor's reference and send them to WhatsApp."""
    if not SITE_KEY.fullmatch(site_key):
        raise ApiError(404, "unknown site")  # e.g. a NUL byte, which PostgreSQL would refuse
    handoff = record_click(site_key, _parse_click())
    response: Response | WerkzeugResponse
    if _wants_json():
        response = jsonify(correlation_id=handoff.correlation_id, whatsapp_url=handoff.whatsapp_url)
    else:
        response = redirect(handoff.whatsapp_url, 302)
    response.headers["Vary"] = "Accept"
    return response


def _wants_json() -> bool:
    # Most clicks are a browser's navigation, whose Accept names no JSON: skip parsing it.
    if "json" not in request.headers.get("Accept", ""):
        return False
    return (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
    )


@bp.route("/c/<site_key>", methods=["OPTIONS"])
def preflight(site_key: str) -> Response:
    """Let any page's script ask for the JSON answer, whatever headers its fetch wrapper adds."""
    # No credentials are ever sent or allowed, so echoing the asked-for headers opens nothing.
    response = Response(status=204)
    response.headers["Access-Control-Allow-Methods"] = "GET"
    asked = request.headers.get("Access-Control-Request-Headers")
    if asked:
        response.headers["Access-Control-Allow-Headers"] = asked
    response.headers["Access-Control-Max-Age"] = "86400"
    return response


@bp.after_request
def no_store(response: Response) -> Response:
    """Keep every click link answer, errors included, out of caches and open to the widget."""
    if request.endpoint in ("widget.click", "widget.preflight"):
        response.headers["Cache-Control"] = "no-store"
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _parse_click() -> Click:
    # Junk is dropped, never refused: a visitor must always reach WhatsApp.
    headers = request.headers
    args = query_args(request.query_string)
    user_agent = headers.get("User-Agent")
    consent = clean_consent(args.get("consent"))
    # A visitor who said no leaves no browser id behind, whatever the request carried.
    cookies = {} if consent == "denied" else {
        name: clean_cookie(args.get(name)) for name in ("fbp", "fbc", "ga")
    }  # fmt: skip
    # Trimmed of the fragment and of personal data before anything is stored or sent.
    click_url, params = clean_page_url(args.get("url"))
    return Click(
        device_id=clean_device_id(args.get("device_id")),
        click_url=click_url,
        referrer=clean_referrer(args.get("ref")),
        params=params,
        user_agent=clean_text(user_agent, MAX_USER_AGENT),
        ip_address=client_ip(
            request.remote_addr,
            headers.get("X-Forwarded-For"),
            current_app.config["TRUSTED_PROXIES"],  # an int since create_app
        ),
        preview=request.method == "HEAD" or is_crawler(user_agent) or _is_prefetch(headers),
        consent=consent,
        **cookies,
    )


def _is_prefetch(headers: Headers) -> bool:
    purpose = headers.get("Sec-Purpose") or headers.get("Purpose") or ""
    return "prefetch" in purpose.lower()
