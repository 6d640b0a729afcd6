"""Helpers of the dashboard tests: users, a signed-in client that posts forms, stored sessions."""

import re
from datetime import UTC, datetime

import sqlalchemy as sa

from widget_server.dashboard.accounts import create_user
from widget_server.db import db
from widget_server.models import Site, WebSession

PASSWORD = "correct horse battery staple"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def make_user(app, email: str, *site_keys: str, admin: bool = False) -> str:
    """Create a user of the given sites with PASSWORD; return the e-mail."""
    with app.app_context():
        create_user(email, admin, list(site_keys), PASSWORD)
    return email


def make_site(app, name: str = "Other shop") -> str:
    """Create a site and return its key."""
    with app.app_context():
        site = Site(key=Site.new_key(), name=name, whatsapp_number="15557654321")
        db.session.add(site)
        db.session.commit()
        return site.key


def token_in(html: str) -> str:
    """Return the CSRF token of the first form of a page."""
    found = TOKEN.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


class Dashboard:
    """A test client that signs in and posts forms with the token its pages carry."""

    def __init__(self, client):
        self.client = client

    def get(self, url: str, **options):
        return self.client.get(url, **options)

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/dashboard/login")
        return self.client.post(
            "/dashboard/login",
            data={"email": email, "password": password, "csrf_token": token_in(page.text)},
        )

    def token(self) -> str:
        """Return a CSRF token of this client's session, read from a page as a browser would."""
        return token_in(self.client.get("/dashboard/login").text)

    def post(self, url: str, data: dict | None = None, **options):
        """Post a form with the session's CSRF token."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.token()}, **options)


def add_session(app, site_key: str, created_at: datetime, **fields) -> str:
    """Store a web session of a site as the click path would; return its reference."""
    with app.app_context():
        site = db.session.scalars(sa.select(Site).filter_by(key=site_key)).one()
        count = db.session.scalar(sa.select(sa.func.count(WebSession.id)))
        reference = fields.pop("correlation_id", f"O-T{count:06d}")
        db.session.add(
            WebSession(
                site_id=site.id,
                correlation_id=reference,
                created_at=created_at,
                last_click_at=created_at,
                **{"parsed_params": {}, "device_id": f"dev-{count}", **fields},
            )
        )
        db.session.commit()
        return reference


def utc(*parts: int) -> datetime:
    """Return a UTC datetime."""
    return datetime(*parts, tzinfo=UTC)
