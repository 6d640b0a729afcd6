"""The widget's endpoints: the embeddable script and the click link."""

import os
import re

from flask import Blueprint, current_app, jsonify, redirect, request, send_file

from widget_server.clicks import Click, record_click
from widget_server.client_ip import client_ip
from widget_server.crawlers import is_crawler
from widget_server.errors import ApiError
from widget_server.params import clean_device_id, clean_text, clean_url, query_args

bp = Blueprint("widget", __name__)

# A link to the top-level static/widget.js, so that wheels carry the script too.
WIDGET_JS = os.path.join(os.path.dirname(__file__), "static", "widget.js")
MAX_USER_AGENT = 512
SITE_KEY = re.compile(r"[A-Za-z0-9_-]{1,32}")


@bp.get("/widget.js")
def widget_js():
    """Serve the embeddable script; short caching, since its URL carries no version."""
    path = current_app.config.get("WIDGET_JS_PATH", WIDGET_JS)
    if not os.path.isfile(path):
        raise ApiError(404, "widget.js is not built into this server")
    response = send_file(path, mimetype="text/javascript", max_age=300, conditional=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/c/<site_key>")
def click(site_key):
    """Issue or reuse the visitor's reference and send them to WhatsApp."""
    if not SITE_KEY.fullmatch(site_key):
        raise ApiError(404, "unknown site")  # e.g. a NUL byte, which PostgreSQL would refuse
    handoff = record_click(site_key, _parse_click())
    if request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json":
        response = jsonify(correlation_id=handoff.correlation_id, whatsapp_url=handoff.whatsapp_url)
    else:
        response = redirect(handoff.whatsapp_url, 302)
    response.headers["Vary"] = "Accept"
    return response


@bp.after_request
def no_store(response):
    """Keep every click link answer, errors included, out of caches and open to the widget."""
    if request.endpoint == "widget.click":
        response.headers["Cache-Control"] = "no-store"
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _parse_click() -> Click:
    # Junk is dropped, never refused: a visitor must always reach WhatsApp.
    args = query_args(request.query_string)
    user_agent = request.headers.get("User-Agent")
    return Click(
        device_id=clean_device_id(args.get("device_id")),
        click_url=clean_url(args.get("url")),
        referrer=clean_url(args.get("ref")),
        user_agent=clean_text(user_agent, MAX_USER_AGENT),
        ip_address=client_ip(
            request.remote_addr,
            request.headers.get("X-Forwarded-For"),
            int(current_app.config["TRUSTED_PROXIES"]),
        ),
        preview=request.method == "HEAD" or is_crawler(user_agent) or _is_prefetch(),
    )


def _is_prefetch() -> bool:
    purpose = request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or ""
    return "prefetch" in purpose.lower()
