"""Users, for admins: create one with a password shown once, remove one, never oneself."""

import re

from dashboard_support import make_user

from widget_server.dashboard.accounts import check_password


def test_an_admin_adds_a_member_of_a_site_who_can_then_sign_in(app, dashboard, site):
    make_user(app, "root@shop.example", admin=True)
    dashboard.login("root@shop.example")
    page = dashboard.post("/dashboard/users", {"email": "new@shop.example", "sites": [site]})
    password = re.search(r'id="password" class="code" readonly value="([^"]+)"', page.text)[1]
    with app.app_context():
        user = check_password("new@shop.example", password)
        assert [s.key for s in user.sites] == [site] and not user.is_admin
    assert password not in dashboard.get("/dashboard/users").text


def test_a_duplicate_or_malformed_email_is_refused(app, dashboard):
    make_user(app, "root@shop.example", admin=True)
    dashboard.login("root@shop.example")
    response = dashboard.post("/dashboard/users", {"email": "ROOT@shop.example"})
    assert response.status_code == 400 and "exists already" in response.text
    response = dashboard.post("/dashboard/users", {"email": "not-an-address"})
    assert response.status_code == 400


def test_an_admin_removes_others_but_not_themself(app, dashboard, member):
    make_user(app, "root@shop.example", admin=True)
    dashboard.login("root@shop.example")
    page = dashboard.get("/dashboard/users").text
    assert f'<th scope="row">{member}' in page and "Remove root@shop.example" not in page
    member_id = re.search(r"/dashboard/users/(\d+)/remove", page)[1]
    dashboard.post(f"/dashboard/users/{member_id}/remove")
    assert f'<th scope="row">{member}' not in dashboard.get("/dashboard/users").text
