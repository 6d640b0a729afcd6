"""The dashboard's blueprint and access rules: login, CSRF on every form, a strict CSP."""

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_login import LoginManager, current_user
from flask_wtf.csrf import CSRFProtect
from werkzeug.exceptions import HTTPException

from widget_server.dashboard.accounts import User
from widget_server.db import db
from widget_server.models import Site

bp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
login_manager = LoginManager()
login_manager.login_view = "dashboard.login"
login_manager.login_message = "Sign in to see this page."
login_manager.session_protection = "strong"
csrf = CSRFProtect()
# init_app hooks this to every request of the app; the dashboard's own are the ones it concerns.
bp.after_request(login_manager._update_remember_cookie)

# No inline script or style anywhere, so the policy can forbid them.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
OPEN = ("dashboard.login", "dashboard.static")


@login_manager.user_loader
def load_user(token: str) -> User | None:
    """Find the user a session cookie names."""
    return db.session.scalars(sa.select(User).filter_by(login_token=token)).one_or_none()


@bp.before_request
def guard() -> ResponseReturnValue | None:
    """Send a signed-out visitor to the login page; refuse a form without its CSRF token."""
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        csrf.protect()
    if request.endpoint not in OPEN and not current_user.is_authenticated:
        # Flask-Login is untyped; its unauthorized() is a redirect (or a 401).
        redirect_or_401: ResponseReturnValue = login_manager.unauthorized()
        return redirect_or_401
    return None


@bp.after_request
def headers(response: Response) -> Response:
    """Keep dashboard pages out of caches, frames and other origins' scripts."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if request.endpoint != "dashboard.static":
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.errorhandler(HTTPException)
def error_page(error: HTTPException) -> ResponseReturnValue:
    """Render an error as a page of the dashboard, with its status."""
    return render_template("dashboard/error.html", error=error), error.code or 500


def site_of(key: str) -> Site:
    """Return the signed-in user's site with this key; any other site is not found (404)."""
    site = db.session.scalars(sa.select(Site).filter_by(key=key)).one_or_none()
    if site is None or not (current_user.is_admin or site in current_user.sites):
        abort(404)
    return site


def sites_of_user() -> list[Site]:
    """Return the sites the signed-in user may open: all for an admin."""
    if current_user.is_admin:
        return list(db.session.scalars(sa.select(Site).order_by(Site.id)))
    return list(current_user.sites)


def require_admin() -> None:
    """Hide admin pages from everyone else (404)."""
    if not current_user.is_admin:
        abort(404)
