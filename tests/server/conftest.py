"""Fixtures for the server suite: one app per test on SQLite, or on PostgreSQL when asked.

`WIDGET_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test` runs the suite on
PostgreSQL: a scratch database is created beside `test` for this run and dropped at the end, so
parallel runs never share tables. Tests that need PostgreSQL whatever the suite runs on take
`postgres_url`: a scratch database beside WIDGET_TEST_DATABASE_URL's, else the local server's.
"""

import contextlib
import os
import uuid

import pytest
import sqlalchemy as sa
from webhooks_support import Receiver

from widget_server import create_app
from widget_server.db import db
from widget_server.models import ApiKey, Site

POSTGRES_URL = os.environ.get("WIDGET_TEST_DATABASE_URL")
LOCAL_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_database(server_url: str):
    """Create an empty database beside server_url's; yield its URL, then drop it."""
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    name = f"wah_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        pytest.fail(
            f"PostgreSQL at {server_url} is not reachable ({error.orig}). Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
    try:
        yield sa.engine.make_url(server_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Yield the URL of an empty database for this test run."""
    if not POSTGRES_URL:
        yield "sqlite:///" + str(tmp_path_factory.mktemp("db") / "widget.db")
        return
    with scratch_database(POSTGRES_URL) as url:
        yield url


@pytest.fixture
def postgres_url():
    """Yield the URL of an empty PostgreSQL database, whichever database the suite runs on."""
    with scratch_database(POSTGRES_URL or LOCAL_POSTGRES_URL) as url:
        yield url


@pytest.fixture
def app(database_url):
    """Create an app on a freshly created schema."""
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "WEBHOOK_ALLOW_PRIVATE": True,
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
def client(app):
    return app.test_client()


@pytest.fixture
def receiver():
    """Yield a webhook receiver on loopback that answers 200."""
    receiver = Receiver().start()
    yield receiver
    receiver.stop()


@pytest.fixture
def site(app):
    """Create a site and return its key."""
    with app.app_context():
        site = Site(key=Site.new_key(), name="Shop", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.commit()
        return site.key


@pytest.fixture
def make_key(app):
    """Return a function that issues an API key for a site key with the given scopes."""

    def make(site_key, *scopes):
        with app.app_context():
            site = db.session.execute(sa.select(Site).filter_by(key=site_key)).scalar_one()
            key, plaintext = ApiKey.issue(site, list(scopes) or ["attribution:read"])
            db.session.add(key)
            db.session.commit()
            return plaintext

    return make
