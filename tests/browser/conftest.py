"""Fixtures for the browser suite: the real widget server and site pages on 127.0.0.1, Chromium.

Pages come from examples/site and tests/browser/pages, served by examples/site/serve.py on their
own port, so the widget runs cross-origin exactly as on a customer's site. Nothing leaves the
machine and nothing is intercepted: Chromium's resolver sends wa.me to a local TLS stand-in and
refuses any other outside name, so CORS, preflights and redirects are the browser's own.
"""

import os
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from browsing import NUMBER, PAGES, resolver_rules, serve_whatsapp, serve_wsgi

from examples.demo.walkthrough import CHROMIUM, launch
from examples.site.serve import SiteServer
from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site, WebSession


@dataclass
class WidgetServer:
    """The real widget server running in a thread, with helpers to look into its database."""

    app: object
    url: str

    def new_site(self, number: str = NUMBER) -> str:
        """Create a site and return its key."""
        with self.app.app_context():
            site = Site(key=Site.new_key(), name="Shop", whatsapp_number=number)
            db.session.add(site)
            db.session.commit()
            return site.key

    def row(self, reference: str) -> dict:
        """Return the attribution row of a reference as the API shows it, plus the referrer."""
        with self.app.app_context():
            query = sa.select(WebSession).filter_by(correlation_id=reference)
            session = db.session.execute(query).scalar_one()
            return session.to_row() | {"referrer": session.referrer}

    def count(self, site_key: str) -> int:
        """Count the web sessions of a site."""
        with self.app.app_context():
            query = sa.select(sa.func.count(WebSession.id)).join(Site).filter(Site.key == site_key)
            return db.session.execute(query).scalar_one()


@pytest.fixture(scope="session")
def widget(tmp_path_factory):
    """Run the widget server on SQLite for the whole suite."""
    database = tmp_path_factory.mktemp("widget") / "widget.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"})
    with app.app_context():
        db.create_all()
    server = serve_wsgi(app)
    yield WidgetServer(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    server.server_close()


@pytest.fixture
def site_key(widget):
    return widget.new_site()


@pytest.fixture
def site(widget, site_key):
    """Return a function that serves a folder of page templates for this test's site."""
    servers = []

    def start(root=PAGES, widget_url=None, csp=None) -> str:
        server = SiteServer(0, widget_url or widget.url, site_key, NUMBER, root, csp).start()
        servers.append(server)
        return server.url

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def whatsapp():
    """Run the wa.me stand-in for the whole suite."""
    server = serve_whatsapp()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser(whatsapp):
    """Launch Debian's headless Chromium, popup blocker on; fail with the fix when it is missing.

    No request is intercepted (Playwright would answer CORS preflights itself): resolver rules
    send wa.me to the stand-in, *.test names to this machine, and any other name nowhere.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium` (make setup-browser)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: run `.venv/bin/pip install -e '.[server,test]'`")
    with sync_playwright() as playwright:
        chromium = launch(playwright, resolver_rules(whatsapp.server_port))
        yield chromium
        chromium.close()


@pytest.fixture
def new_context(browser):
    """Return a function that opens a browser context; it closes them after the test."""
    contexts = []

    def open_context(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()
