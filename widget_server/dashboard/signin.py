"""Sign in and out; attempts are throttled per account and per address."""

import logging
from typing import cast

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user
from limits import RateLimitItem, parse
from werkzeug.exceptions import TooManyRequests

from widget_server.dashboard.accounts import check_password
from widget_server.dashboard.forms import LoginForm
from widget_server.dashboard.routes import bp, sites_of_user
from widget_server.limits import client_address, rate_limiter

log = logging.getLogger("widget_server.dashboard")


def _allowances() -> list[tuple[RateLimitItem, str, str]]:
    """The login's two limits with what each counts: the client address and the account."""
    config = current_app.config
    account = (request.form.get("email") or "").strip().lower()
    return [
        (parse(config["DASHBOARD_LOGIN_LIMIT_ADDRESS"]), "login-address", client_address()),
        (parse(config["DASHBOARD_LOGIN_LIMIT_ACCOUNT"]), "login-account", account),
    ]


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; sign in with e-mail and password, throttled per address and account."""
    form = LoginForm()
    allowances = _allowances() if request.method == "POST" else []
    if not _left(allowances):  # even the right password waits once an allowance is used up
        raise TooManyRequests()
    if form.validate_on_submit():
        user = check_password(form.email.data or "", form.password.data or "")
        if user is not None:
            target = _safe_next(request.args.get("next"))
            # A fresh session on every login: nothing set before it survives (session fixation).
            session.clear()
            login_user(user)
            return redirect(target or url_for("dashboard.home"))
        cast(list[str], form.password.errors).append("Wrong e-mail or password.")
    # Only failed attempts use up the allowances; a successful login redirected above.
    _spend(allowances)
    return render_template("dashboard/login.html", form=form)


def _left(allowances: list[tuple[RateLimitItem, str, str]]) -> bool:
    try:
        return all(rate_limiter().test(item, *key) for item, *key in allowances)
    except Exception as error:  # the limiter's storage failed: argon2 still slows guessing
        log.warning("login throttle not checked: %s", error)
        return True


def _spend(allowances: list[tuple[RateLimitItem, str, str]]) -> None:
    try:
        for item, *key in allowances:
            rate_limiter().hit(item, *key)
    except Exception as error:
        log.warning("login throttle not charged: %s", error)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out and forget the session."""
    logout_user()
    session.clear()
    flash("You are signed out.")
    return redirect(url_for("dashboard.login"))


@bp.get("/")
def home() -> ResponseReturnValue:
    """Open the first site's overview, or the form for a first site."""
    sites = sites_of_user()
    if not sites:
        return redirect(url_for("dashboard.new_site"))
    return redirect(url_for("dashboard.overview_page", key=sites[0].key))


def _safe_next(target: str | None) -> str | None:
    # Only a path of this dashboard: never an open redirect to another host.
    if target and target.startswith("/dashboard") and not target.startswith("//"):
        return target
    return None
