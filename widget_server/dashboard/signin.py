"""Sign in and out; attempts are throttled per account and per address."""

from typing import cast

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import login_user, logout_user

from widget_server.dashboard.accounts import check_password
from widget_server.dashboard.forms import LoginForm
from widget_server.dashboard.routes import bp, sites_of_user
from widget_server.limits import limiter


def _account() -> str:
    return "account:" + (request.form.get("email") or "").strip().lower()


def _failed(response: Response) -> bool:
    # Only failed attempts use up the allowance; a successful login redirects.
    return bool(response.status_code != 302)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    lambda: current_app.config["DASHBOARD_LOGIN_LIMIT_ADDRESS"],
    methods=["POST"],
    deduct_when=_failed,
)
@limiter.limit(
    lambda: current_app.config["DASHBOARD_LOGIN_LIMIT_ACCOUNT"],
    key_func=_account,
    methods=["POST"],
    deduct_when=_failed,
)
def login() -> ResponseReturnValue:
    """Show the login form; sign in with e-mail and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = check_password(form.email.data or "", form.password.data or "")
        if user is not None:
            target = _safe_next(request.args.get("next"))
            # A fresh session on every login: nothing set before it survives (session fixation).
            session.clear()
            login_user(user)
            return redirect(target or url_for("dashboard.home"))
        cast(list[str], form.password.errors).append("Wrong e-mail or password.")
    return render_template("dashboard/login.html", form=form)


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
