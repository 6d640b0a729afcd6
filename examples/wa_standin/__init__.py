"""A local WhatsApp stand-in: a wa.me-like chat page and the Cloud API, for demos and tests.

The visitor side posts signed Cloud API webhooks to the bot; the Graph API side takes the bot's
replies and shows them in the same chat. Nothing leaves 127.0.0.1.
"""

import secrets

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

from examples.wa_standin.chats import Chats

DEFAULTS = {
    "APP_SECRET": "demo-app-secret",
    "ACCESS_TOKEN": "demo-access-token",
    "PHONE_NUMBER_ID": "100000000000001",
    "BUSINESS_ACCOUNT_ID": "200000000000002",
    "DISPLAY_PHONE_NUMBER": "15550001234",
    "WEBHOOK_URL": "http://127.0.0.1:5005/webhooks/whatsapp/webhook",
    "VISITOR_WA_ID": "15550009999",
    "VISITOR_NAME": "Alex Visitor",
}


def envelope(status: int, message: str, data=None):
    """Build the `{status, message, data}` JSON response of the stand-in's own endpoints."""
    response = jsonify({"status": status, "message": message, "data": data})
    response.status_code = status
    return response


def create_app(config: dict | None = None) -> Flask:
    """Create the stand-in with DEFAULTS overridden by config."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS, SECRET_KEY=secrets.token_hex(16))
    app.config.from_mapping(config or {})
    app.extensions["chats"] = Chats()

    from examples.wa_standin import graph, views

    app.register_blueprint(views.bp)
    app.register_blueprint(graph.bp)

    @app.errorhandler(HTTPException)
    def http_error(error):
        return envelope(error.code, error.description)

    return app
