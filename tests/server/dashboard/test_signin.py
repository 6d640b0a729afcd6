"""Signing in and out: cookies, redirects, throttling, a fresh session on every login."""

import pytest
from dashboard_support import Dashboard, make_user
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from widget_server import create_app


def test_a_signed_out_page_redirects_to_the_login(dashboard, site):
    for url in ("/dashboard/", f"/dashboard/sites/{site}/", f"/dashboard/sites/{site}/keys",
                "/dashboard/users", f"/dashboard/sites/{site}/export.csv"):  # fmt: skip
        response = dashboard.get(url)
        assert response.status_code == 302, url
        assert response.location.startswith("/dashboard/login?next=")


def test_a_member_signs_in_and_lands_on_their_site(dashboard, member, site):
    response = dashboard.login(member)
    assert response.status_code == 302
    assert response.location == "/dashboard/"
    assert dashboard.get("/dashboard/").location == f"/dashboard/sites/{site}/"
    assert "Shop" in dashboard.get(f"/dashboard/sites/{site}/").text


def test_the_login_returns_to_the_page_asked_for_but_never_off_the_dashboard(dashboard, member):
    page = dashboard.get("/dashboard/login")
    for target, expected in (("/dashboard/users", "/dashboard/users"),
                             ("https://evil.example/", "/dashboard/"),
                             ("//evil.example/dashboard", "/dashboard/")):  # fmt: skip
        dashboard.client.get("/dashboard/login")
        response = dashboard.client.post(
            f"/dashboard/login?next={target}",
            data={"email": member, "password": "correct horse battery staple",
                  "csrf_token": dashboard.token()},
        )  # fmt: skip
        assert response.location == expected, target
    assert page.status_code == 200


def test_a_wrong_password_or_unknown_user_is_refused_alike(dashboard, member):
    wrong = dashboard.login(member, "not the password at all")
    unknown = dashboard.login("nobody@shop.example", "not the password at all")
    for response in (wrong, unknown):
        assert response.status_code == 200
        assert "Wrong e-mail or password." in response.text
    assert dashboard.get("/dashboard/").status_code == 302


def test_the_email_is_matched_whatever_its_case(dashboard, member):
    assert dashboard.login("  Owner@Shop.Example ").status_code == 302


def test_a_login_without_its_csrf_token_is_refused(dashboard, member):
    response = dashboard.client.post(
        "/dashboard/login", data={"email": member, "password": "correct horse battery staple"}
    )
    assert response.status_code == 400
    assert "CSRF" in response.text
    assert dashboard.get("/dashboard/").status_code == 302


def test_every_form_refuses_a_post_without_its_token(signed_in, site):
    urls = [
        "/dashboard/logout", "/dashboard/sites/new", f"/dashboard/sites/{site}/settings",
        f"/dashboard/sites/{site}/keys", f"/dashboard/sites/{site}/webhooks", "/dashboard/users",
        f"/dashboard/sites/{site}/keys/abc/revoke", f"/dashboard/sites/{site}/webhooks/1/rotate",
        f"/dashboard/sites/{site}/webhooks/1/remove",
        f"/dashboard/sites/{site}/deliveries/1/redeliver", "/dashboard/users/1/remove",
        f"/dashboard/sites/{site}/destinations/1/test",
    ]  # fmt: skip
    for url in urls:
        response = signed_in.client.post(url, data={"name": "x", "csrf_token": "forged"})
        assert response.status_code == 400, url
        assert "CSRF" in response.text, url
    assert signed_in.get("/dashboard/").status_code == 302  # still signed in: logout refused too


def test_wrong_passwords_are_throttled_per_account(dashboard, member):
    for _ in range(5):
        assert dashboard.login(member, "wrong password guess").status_code == 200
    response = dashboard.login(member)  # even the right password waits now
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert dashboard.login("someone.else@shop.example", "wrong password guess").status_code == 200


def test_wrong_passwords_are_throttled_per_address(app):
    app.config["DASHBOARD_LOGIN_LIMIT_ADDRESS"] = "3 per hour"  # read on each request
    dashboard = Dashboard(app.test_client())
    for n in range(3):
        assert dashboard.login(f"guess{n}@shop.example", "wrong password guess").status_code == 200
    assert dashboard.login("guess9@shop.example", "wrong password guess").status_code == 429
    other = Dashboard(app.test_client())
    page = other.client.get("/dashboard/login")
    response = other.client.post(
        "/dashboard/login",
        data={"email": "guess9@shop.example", "password": "x", "csrf_token": "t"},
        environ_base={"REMOTE_ADDR": "192.0.2.9"},
    )
    assert page.status_code == 200 and response.status_code == 400  # not throttled: CSRF only


def test_successful_logins_do_not_use_up_the_allowance(dashboard, member):
    for _ in range(8):
        assert dashboard.login(member).status_code == 302


def test_a_login_starts_a_fresh_session(dashboard, member):
    with dashboard.client.session_transaction("/dashboard/") as session:
        session["planted"] = "by an attacker"
    dashboard.login(member)
    with dashboard.client.session_transaction("/dashboard/") as session:
        assert "planted" not in session
        assert session["_user_id"] != "1"  # the cookie names a token, not the row id


def test_logout_ends_the_session(signed_in):
    response = signed_in.post("/dashboard/logout")
    assert response.location == "/dashboard/login"
    assert signed_in.get("/dashboard/").status_code == 302


def test_removing_a_user_ends_their_open_sessions(app, signed_in, member):
    from widget_server.dashboard.accounts import remove_user

    with app.app_context():
        remove_user(member)
    assert signed_in.get("/dashboard/").status_code == 302


@pytest.mark.parametrize("secure", [True, False])
def test_the_login_cookie_is_http_only_same_site_lax_and_secure_by_default(database_url, secure):
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url}
    if not secure:
        config["DASHBOARD_COOKIE_SECURE"] = False
    client = create_app(config).test_client()
    page = client.get("/dashboard/login", base_url="https://localhost")
    [cookie] = [c for c in page.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure
    assert "Path=/dashboard" in cookie  # never sent with clicks or API calls


def test_a_request_without_the_cookie_sets_none(dashboard, site):
    for path in ("/healthz", f"/c/{site}", "/openapi.json"):
        response = dashboard.client.get(path)
        assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]


def test_a_forged_session_cookie_is_an_empty_session(dashboard):
    dashboard.client.set_cookie("session", "eyJfdXNlcl9pZCI6IjEifQ.forged.sig", path="/dashboard")
    assert dashboard.client.get("/dashboard/").location.startswith("/dashboard/login")


def test_pages_carry_a_strict_content_security_policy(dashboard):
    policy = dashboard.get("/dashboard/login").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy


def test_an_admin_is_made_by_the_cli_or_another_admin(app, dashboard, site):
    make_user(app, "root@shop.example", admin=True)
    dashboard.login("root@shop.example")
    assert dashboard.get("/dashboard/users").status_code == 200


def test_a_dead_limiter_storage_never_stops_a_login(app, dashboard, member):
    dead = storage_from_string("redis://127.0.0.1:9")  # nothing listens there
    app.extensions["rate_limiter"] = FixedWindowRateLimiter(dead)
    assert dashboard.login(member, "wrong password guess").status_code == 200
    assert dashboard.login(member).status_code == 302
