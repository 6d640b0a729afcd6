"""Access: a member sees only their sites, 404 for everything of another; admins see all."""

import sqlalchemy as sa
from conversions_support import add_destination
from dashboard_support import PASSWORD, add_session, make_site, make_user, utc

from widget_server.db import db
from widget_server.models import ApiKey, Site
from widget_server.sites.api_keys import issue_key
from widget_server.webhooks import endpoints, enqueue
from widget_server.webhooks.tables import WebhookDelivery


def other_site(app) -> dict:
    """Create site B with a session, a key, an endpoint and a delivery; return their ids."""
    key = make_site(app, "Site B")
    reference = add_session(app, key, utc(2026, 11, 20, 9), correlation_id="O-Bbbbbb1")
    with app.app_context():
        api_key, _ = issue_key(key, ["attribution:read"])
        endpoint, _ = endpoints.add(key, "http://127.0.0.1:9/hook", [])
        site = db.session.scalars(sa.select(Site).filter_by(key=key)).one()
        enqueue(site.id, "widget.click", {"correlation_id": reference})
        db.session.commit()
        delivery = db.session.scalars(sa.select(WebhookDelivery)).one()
        ids = {"key": key, "reference": reference, "prefix": api_key.prefix,
               "endpoint": endpoint.id, "delivery": delivery.id}  # fmt: skip
    ids["destination"] = add_destination(app, key, "ga4", "http://127.0.0.1:9")
    return ids


def pages_of(site: str, b: dict) -> list[tuple[str, str]]:
    """Every page, form, export and id of site B, as (method, url)."""
    prefix = f"/dashboard/sites/{site}"
    return [
        ("GET", f"{prefix}/"), ("GET", f"{prefix}/?range=7d&by=landing"),
        ("GET", f"{prefix}/export.csv"), ("GET", f"{prefix}/sessions"),
        ("GET", f"{prefix}/sessions/{b['reference']}"), ("GET", f"{prefix}/settings"),
        ("POST", f"{prefix}/settings"), ("GET", f"{prefix}/keys"), ("POST", f"{prefix}/keys"),
        ("POST", f"{prefix}/keys/{b['prefix']}/revoke"), ("GET", f"{prefix}/webhooks"),
        ("POST", f"{prefix}/webhooks"), ("POST", f"{prefix}/webhooks/{b['endpoint']}/rotate"),
        ("POST", f"{prefix}/webhooks/{b['endpoint']}/remove"),
        ("POST", f"{prefix}/deliveries/{b['delivery']}/redeliver"),
        ("GET", f"{prefix}/destinations"),
        ("POST", f"{prefix}/destinations/{b['destination']}/test"),
    ]  # fmt: skip


def test_a_member_gets_404_for_every_page_form_export_and_id_of_another_site(app, signed_in, site):
    b = other_site(app)
    for method, url in pages_of(b["key"], b):
        response = signed_in.post(url) if method == "POST" else signed_in.get(url)
        assert response.status_code == 404, (method, url)
    assert "Site B" not in signed_in.get(f"/dashboard/sites/{site}/").text


def test_ids_of_another_site_are_not_found_under_ones_own(app, signed_in, site):
    b = other_site(app)
    prefix = f"/dashboard/sites/{site}"
    for method, url in [
        ("GET", f"{prefix}/sessions/{b['reference']}"),
        ("POST", f"{prefix}/keys/{b['prefix']}/revoke"),
        ("POST", f"{prefix}/webhooks/{b['endpoint']}/rotate"),
        ("POST", f"{prefix}/webhooks/{b['endpoint']}/remove"),
        ("POST", f"{prefix}/deliveries/{b['delivery']}/redeliver"),
        ("POST", f"{prefix}/destinations/{b['destination']}/test"),
    ]:
        response = signed_in.post(url) if method == "POST" else signed_in.get(url)
        assert response.status_code == 404, (method, url)
    with app.app_context():
        assert db.session.scalars(sa.select(ApiKey)).one().revoked_at is None
        assert len(endpoints.list_endpoints(b["key"])) == 1


def test_an_unknown_site_looks_like_another_ones(signed_in):
    assert signed_in.get("/dashboard/sites/s_nope/").status_code == 404


def test_user_pages_are_hidden_from_members(signed_in):
    assert signed_in.get("/dashboard/users").status_code == 404
    assert signed_in.post("/dashboard/users", data={"email": "x@y.example"}).status_code == 404
    assert signed_in.post("/dashboard/users/1/remove").status_code == 404


def test_an_admin_sees_every_site(app, dashboard, site):
    b = other_site(app)
    make_user(app, "root@shop.example", admin=True)
    dashboard.login("root@shop.example", PASSWORD)
    for method, url in pages_of(b["key"], b):
        if method == "GET":
            assert dashboard.get(url).status_code == 200, url
    home = dashboard.get(f"/dashboard/sites/{site}/").text
    assert "Site B" in home and "Shop" in home


def test_a_404_is_a_page_of_the_dashboard(signed_in):
    response = signed_in.get("/dashboard/sites/s_nope/keys")
    assert response.mimetype == "text/html"
    assert "There is no such page here." in response.text
