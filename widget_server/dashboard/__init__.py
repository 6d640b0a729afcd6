"""The site owners' dashboard: server-rendered pages under /dashboard behind a login."""

from flask import Flask

# Each page module adds its views to bp when imported.
from widget_server.dashboard import (  # noqa: F401
    destinations_page,
    keys_page,
    overview_page,
    sessions_page,
    settings_page,
    signin,
    users_page,
    webhooks_page,
)
from widget_server.dashboard.cookie_session import CookieSession
from widget_server.dashboard.routes import bp, csrf, login_manager


def init_app(app: Flask) -> None:
    """Attach the login manager, CSRF and the cookie flags; register the pages."""
    # Checked only where the dashboard asks (routes.guard): the JSON API authenticates with keys.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["SESSION_COOKIE_SECURE"] = app.config["DASHBOARD_COOKIE_SECURE"]
    # Only the dashboard reads its session: clicks and API calls never carry the cookie.
    app.config["SESSION_COOKIE_PATH"] = "/dashboard"
    app.session_interface = CookieSession()
    login_manager.init_app(app)
    # Its remember-me cookie hook runs on the dashboard alone (routes.py), not on every click.
    app.after_request_funcs[None].remove(login_manager._update_remember_cookie)
    csrf.init_app(app)
    app.register_blueprint(bp)
