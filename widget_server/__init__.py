"""wa-handoff widget server: the Flask app factory."""

import gc
import os
import sys
from collections.abc import Mapping
from typing import Any

# The server uses 3.11's datetime.UTC; the plugin side of this distribution also runs on 3.10.
if sys.version_info < (3, 11):  # pragma: no cover - only ever true on the wrong interpreter
    raise ImportError("widget_server needs Python 3.11 or newer (the plugin alone runs on 3.10)")

from flask import Flask

from widget_server import config
from widget_server.db import db, migrate


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the widget server; a bad setting stops it with a message naming it."""
    app = Flask(__name__, instance_relative_config=True, static_folder=None)
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep rows in the documented order
    app.config.from_mapping(config.defaults())
    if test_config is None:
        app.config.from_prefixed_env("WIDGET")
        config.load(app.config, os.environ)
    else:
        app.config.from_mapping(test_config)
        config.load(app.config)
    os.makedirs(app.instance_path, exist_ok=True)
    if app.config["DATABASE_URL"]:
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    app.config.setdefault(
        "SQLALCHEMY_DATABASE_URI", "sqlite:///" + os.path.join(app.instance_path, "widget.db")
    )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A click waits for the database: without a bound, an unreachable host hangs it for minutes.
        options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
        options.setdefault(
            "connect_args", {"connect_timeout": app.config["DATABASE_CONNECT_TIMEOUT"]}
        )
    if not app.config["SECRET_KEY"]:
        app.config["SECRET_KEY"] = config.secret_key(app.instance_path)

    db.init_app(app)
    migrate.init_app(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"))

    from widget_server import cli, dashboard, errors, health, limits, scrape
    from widget_server.api import blueprint, openapi
    from widget_server.clicks import link, script

    errors.register(app)
    limits.init_app(app)  # the one limiter: the click link, the webhook worker, the login
    for bp in (script.bp, link.bp, health.bp, scrape.bp, blueprint.bp, openapi.bp):
        app.register_blueprint(bp)
    dashboard.init_app(app)
    cli.register(app)
    if test_config is None:
        # What starting made (modules, the app, SQLAlchemy's tables) lives as long as the
        # process: keep it out of every later collection, whose traversals of it cost each
        # click about 6% (bench/click.py). Tests make many apps, so only a served one does this.
        gc.freeze()
    return app
