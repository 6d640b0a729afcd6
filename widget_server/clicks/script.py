"""Serve the embeddable script, gzip-compressed, under a short-cached alias and a pinned URL."""

import base64
import gzip
import hashlib
import os
from dataclasses import dataclass
from functools import lru_cache

from flask import Blueprint, Response, current_app, request

from widget_server.config import WIDGET_JS
from widget_server.errors import ApiError

bp = Blueprint("script", __name__)

__all__ = ["WIDGET_JS", "Script", "bp", "current_script"]

ALIAS_MAX_AGE = 300  # seconds: /widget.js follows each deploy within five minutes
PINNED_MAX_AGE = 365 * 24 * 3600


@dataclass(frozen=True)
class Script:
    """One build of widget.js, compressed once, with the names a site pins it by."""

    body: bytes
    gzipped: bytes
    version: str  # 16 hex digits of its SHA-256, in the pinned URL /widget.<version>.js
    integrity: str  # sha384-..., for the tag's Subresource Integrity attribute

    @property
    def path(self) -> str:
        return f"/widget.{self.version}.js"


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int, size: int) -> Script:
    with open(path, "rb") as file:
        body = file.read()
    digest = base64.b64encode(hashlib.sha384(body).digest()).decode()
    return Script(
        body=body,
        gzipped=gzip.compress(body, compresslevel=9, mtime=0),
        version=hashlib.sha256(body).hexdigest()[:16],
        integrity=f"sha384-{digest}",
    )


def current_script() -> Script:
    """Return the configured widget.js, read again only when the file changes."""
    path = current_app.config["WIDGET_JS_PATH"]
    try:
        stat = os.stat(path)
    except OSError:
        raise ApiError(404, "widget.js is not built into this server") from None
    return _load(path, stat.st_mtime_ns, stat.st_size)


@bp.get("/widget.js")
def widget_js() -> Response:
    """Serve the current script under its alias; short caching, since the URL has no version."""
    return _serve(current_script(), ALIAS_MAX_AGE, immutable=False)


@bp.get("/widget.<version>.js")
def pinned_widget_js(version: str) -> Response:
    """Serve the script under its versioned URL, immutable, for tags pinned with SRI."""
    script = current_script()
    if version != script.version:
        raise ApiError(404, "this server holds another version of widget.js")
    return _serve(script, PINNED_MAX_AGE, immutable=True)


def _serve(script: Script, max_age: int, immutable: bool) -> Response:
    compressed = request.accept_encodings["gzip"] > 0
    response = Response(script.gzipped if compressed else script.body, mimetype="text/javascript")
    if compressed:
        response.headers["Content-Encoding"] = "gzip"
    response.vary.add("Accept-Encoding")
    response.cache_control.public = True
    response.cache_control.max_age = max_age
    response.cache_control.immutable = immutable
    # Any origin may load it, and SRI needs a CORS answer (`crossorigin="anonymous"`).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.set_etag(script.version + ("-gzip" if compressed else ""))
    response.make_conditional(request)  # a 304 for a matching If-None-Match
    return response
