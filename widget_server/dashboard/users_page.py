"""Users of the dashboard, for admins: create one (password shown once), remove one."""

from typing import cast

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from widget_server.dashboard.accounts import User, create_user, list_users, remove_user
from widget_server.dashboard.forms import UserForm
from widget_server.dashboard.routes import bp, require_admin, sites_of_user
from widget_server.db import db
from widget_server.errors import OperatorError


@bp.route("/users", methods=["GET", "POST"])
def users() -> ResponseReturnValue:
    """List the users; create one."""
    require_admin()
    form = UserForm()
    form.sites.choices = [(site.key, site.name) for site in sites_of_user()]
    password, status = None, 200
    if form.validate_on_submit():
        try:
            _, password = create_user(form.email.data or "", form.admin.data, form.sites.data or [])
        except OperatorError as error:
            cast(list[str], form.email.errors).append(str(error))
            status = 400
    elif form.is_submitted():
        status = 400
    return render_template(
        "dashboard/users.html",
        form=form,
        sites=sites_of_user(),
        site=None,
        users=list_users(),
        password=password,
        created=form.email.data if password else None,
    ), status


@bp.post("/users/<int:user_id>/remove")
def remove_account(user_id: int) -> ResponseReturnValue:
    """Remove a user; an admin cannot remove themself."""
    require_admin()
    user = db.session.get(User, user_id)
    if user is None:
        return redirect(url_for("dashboard.users"))
    if user.id == current_user.id:
        flash("You cannot remove yourself.")
    else:
        remove_user(user.email)
        flash(f"User {user.email} is removed.")
    return redirect(url_for("dashboard.users"))
