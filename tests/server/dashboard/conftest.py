"""The dashboard suite's fixtures: the app over plain http, a member of one site, a client."""

import pytest
from dashboard_support import Dashboard, make_user

from widget_server import create_app
from widget_server.db import db


@pytest.fixture
def app(database_url):
    """Create an app whose login cookie is also sent over the test client's plain http."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WEBHOOK_ALLOW_PRIVATE": True,
            "DASHBOARD_COOKIE_SECURE": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def member(app, site):
    """Create a user of the site fixture's site; return the e-mail."""
    return make_user(app, "owner@shop.example", site)


@pytest.fixture
def dashboard(client):
    return Dashboard(client)


@pytest.fixture
def signed_in(dashboard, member):
    """Return the dashboard client signed in as the member."""
    assert dashboard.login(member).status_code == 302
    return dashboard
