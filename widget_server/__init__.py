"""wa-handoff widget server: the Flask app factory."""

import os

from flask import Flask

from widget_server.db import db, migrate

DEFAULTS = {
    "TRUSTED_PROXIES": 0,
    "WEBHOOK_ALLOW_PRIVATE": False,
    "MAX_CONTENT_LENGTH": 64 * 1024,
}


def create_app(test_config=None):
    """Create and configure the widget server."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.json.sort_keys = False  # keep rows in the documented key order
    app.config.from_mapping(
        DEFAULTS,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "widget.db"),
    )
    if test_config is None:
        app.config.from_prefixed_env("WIDGET")
        if "DATABASE_URL" in app.config:
            app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    else:
        app.config.from_mapping(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))

    from widget_server import cli, errors, health, widget
    from widget_server.api import attribution, correlations, openapi

    errors.register(app)
    for module in (widget, health, attribution, correlations, openapi):
        app.register_blueprint(module.bp)
    cli.register(app)
    return app
