"""A site's settings: create a site, edit its number, message and window, copy the snippet."""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from widget_server.dashboard.accounts import join
from widget_server.dashboard.forms import SiteForm
from widget_server.dashboard.routes import bp, site_of, sites_of_user
from widget_server.models import DEFAULT_MESSAGE, Site
from widget_server.sites.fields import InvalidSite
from widget_server.sites.registry import create_site, update_site

PREVIEW_REFERENCE = "O-aB3dE9z"


@bp.route("/sites/new", methods=["GET", "POST"])
def new_site() -> ResponseReturnValue:
    """Create a site; its creator becomes a member."""
    form = SiteForm(data={"message": DEFAULT_MESSAGE, "reuse_hours": 12,
                          "whatsapp_base_url": "https://wa.me", "ip_policy": "full"})  # fmt: skip
    if form.validate_on_submit():
        try:
            site = create_site(**_fields(form))
        except InvalidSite as error:
            getattr(form, error.field).errors.append(error.reason)
        else:
            join(current_user, site)
            flash(f"Site {site.name} is created. Paste the snippet below into its pages.")
            return redirect(url_for("dashboard.settings", key=site.key))
    status = 400 if form.is_submitted() else 200
    return render_template(
        "dashboard/site_new.html", form=form, sites=sites_of_user(), site=None
    ), status


@bp.route("/sites/<key>/settings", methods=["GET", "POST"])
def settings(key: str) -> ResponseReturnValue:
    """Show and change a site's settings, with the embed snippet."""
    site = site_of(key)
    form = SiteForm(obj=site, data=None if request.method == "POST" else _current(site))
    status = 200
    if form.validate_on_submit():
        try:
            update_site(site, **_fields(form))
        except InvalidSite as error:
            getattr(form, error.field).errors.append(error.reason)
        else:
            flash("Settings saved.")
            return redirect(url_for("dashboard.settings", key=site.key))
    if form.is_submitted():
        status = 400
    snippet = (
        f'<script async src="{request.host_url}widget.js" data-site="{site.key}" '
        f'data-number="{site.whatsapp_number}"></script>'
    )
    return render_template(
        "dashboard/settings.html",
        site=site,
        sites=sites_of_user(),
        form=form,
        snippet=snippet,
        reference=PREVIEW_REFERENCE,
        preview=site.message_for(PREVIEW_REFERENCE),
    ), status


def _current(site: Site) -> dict[str, Any]:
    return {"name": site.name, "whatsapp_number": site.whatsapp_number,
            "message": site.message_template, "reuse_hours": site.reuse_hours,
            "whatsapp_base_url": site.whatsapp_base_url, "ip_policy": site.ip_policy,
            "retention_days": site.retention_days,
            "private_params": ", ".join(site.private_params.split())}  # fmt: skip


def _fields(form: SiteForm) -> dict[str, Any]:
    fields = {name: getattr(form, name).data for name in
              ("name", "whatsapp_number", "message", "reuse_hours", "whatsapp_base_url",
               "ip_policy", "retention_days")}  # fmt: skip
    return {**fields, "private_params": form.private_params.data or ""}
