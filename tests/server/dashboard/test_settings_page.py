"""Site settings: a new site joins its creator; edits are checked as the CLI checks them."""

import html
import re

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import Site

FORM = {"name": "Bakery", "whatsapp_number": "15551112222", "reuse_hours": "24",
        "message": "Hi! Ref {reference}", "whatsapp_base_url": "https://wa.me/",
        "ip_policy": "full", "retention_days": "", "private_params": ""}  # fmt: skip


def test_a_new_site_is_created_and_its_creator_belongs_to_it(app, signed_in):
    response = signed_in.post("/dashboard/sites/new", FORM)
    assert response.status_code == 302
    key = re.search(r"/sites/(s_[^/]+)/settings", response.location).group(1)
    page = html.unescape(signed_in.get(response.location).text)
    assert f'data-site="{key}"' in page and "Copy snippet" in page
    assert "Hi! Ref O-aB3dE9z" in page  # the preview of the pre-filled text
    with app.app_context():
        site = db.session.scalars(sa.select(Site).filter_by(key=key)).one()
        assert (site.reuse_hours, site.whatsapp_base_url) == (24, "https://wa.me")


def test_settings_are_saved(app, signed_in, site):
    url = f"/dashboard/sites/{site}/settings"
    assert 'value="Shop"' in signed_in.get(url).text
    response = signed_in.post(url, {**FORM, "name": "Shop two"})
    assert response.status_code == 302
    with app.app_context():
        saved = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        assert (saved.name, saved.message_template) == ("Shop two", "Hi! Ref {reference}")


def test_a_bad_setting_is_refused_with_the_clis_reason_and_nothing_is_saved(app, signed_in, site):
    url = f"/dashboard/sites/{site}/settings"
    for field, value, reason in [
        ("whatsapp_number", "+1 555", "use the international number as digits only"),
        ("message", "no place for it", "must contain {reference}"),
        ("whatsapp_base_url", "ftp://wa.me", "must be an http(s) URL without a query"),
        ("reuse_hours", "0", "Number must be between 1 and 8760"),
        ("ip_policy", "hashed", "Not a valid choice"),
        ("retention_days", "0", "Number must be between 1 and 36500"),
        ("private_params", "utm_source", "utm_source is always kept"),
    ]:
        response = signed_in.post(url, {**FORM, field: value})
        assert response.status_code == 400, field
        assert reason in response.text, field
    with app.app_context():
        assert db.session.scalars(sa.select(Site).filter_by(key=site)).one().name == "Shop"


def test_a_bad_new_site_is_not_created(app, signed_in):
    response = signed_in.post("/dashboard/sites/new", {**FORM, "whatsapp_number": "0123"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Site.id))) == 1  # the site fixture's


def test_the_privacy_settings_are_shown_and_saved(app, signed_in, site):
    url = f"/dashboard/sites/{site}/settings"
    changed = {"ip_policy": "truncated", "retention_days": "30", "private_params": "voucher, ref"}
    assert signed_in.post(url, {**FORM, **changed}).status_code == 302
    with app.app_context():
        saved = db.session.scalars(sa.select(Site).filter_by(key=site)).one()
        assert (saved.ip_policy, saved.retention_days, saved.private_params) == (
            "truncated",
            30,
            "voucher ref",
        )
    page = signed_in.get(url).text
    assert 'value="voucher ref"' in page and 'value="30"' in page
    assert '<option selected value="truncated">' in page
    assert signed_in.post(url, {**FORM, "retention_days": ""}).status_code == 302
    with app.app_context():
        assert db.session.scalars(sa.select(Site).filter_by(key=site)).one().retention_days is None
