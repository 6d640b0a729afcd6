"""A site's API keys: create one (shown once), see the scopes, revoke."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue

from widget_server.dashboard.forms import KeyForm
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.db import db
from widget_server.models import SCOPES, ApiKey
from widget_server.sites.api_keys import issue_key, list_keys, revoke_key


def _form() -> KeyForm:
    form = KeyForm()
    form.scopes.choices = [(scope, scope) for scope in SCOPES]
    return form


@bp.route("/sites/<key>/keys", methods=["GET", "POST"])
def keys(key: str) -> ResponseReturnValue:
    """List the site's keys; create one."""
    site = site_of(key)
    form, plaintext, status = _form(), None, 200
    if form.validate_on_submit():
        _, plaintext = issue_key(site.key, form.scopes.data or [])
    elif form.is_submitted():
        status = 400
    return render_template(
        "dashboard/keys.html",
        site=site,
        sites=sites_of_user(),
        form=form,
        plaintext=plaintext,
        keys=list_keys(site.key),
    ), status


@bp.post("/sites/<key>/keys/<prefix>/revoke")
def revoke(key: str, prefix: str) -> ResponseReturnValue:
    """Revoke one of the site's keys."""
    site = site_of(key)
    found = db.session.scalars(sa.select(ApiKey).filter_by(prefix=prefix, site_id=site.id)).first()
    if found is None:
        abort(404)
    revoke_key(found.prefix)
    flash(f"Key {found.prefix} is revoked.")
    return redirect(url_for("dashboard.keys", key=site.key))
