"""Serve the embeddable script, widget.js."""

import os

from flask import Blueprint, Response, current_app, send_file

from widget_server.config import WIDGET_JS
from widget_server.errors import ApiError

bp = Blueprint("script", __name__)

__all__ = ["WIDGET_JS", "bp"]


@bp.get("/widget.js")
def widget_js() -> Response:
    """Serve the embeddable script; short caching, since its URL carries no version."""
    path = current_app.config["WIDGET_JS_PATH"]
    if not os.path.isfile(path):
        raise ApiError(404, "widget.js is not built into this server")
    response = send_file(path, mimetype="text/javascript", max_age=300, conditional=True)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
