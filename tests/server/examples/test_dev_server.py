"""`make run`: the dev server prepares its site and key once, shows them, and serves the page."""

import os
import re
import socket
import stat
import subprocess
import sys
import time

import pytest
import requests
import sqlalchemy as sa

from examples.dev_server import DEMO_EMAIL, KEY_FILE, LOGIN_FILE, NAME, bp, prepare
from widget_server import create_app
from widget_server.dashboard.accounts import check_password
from widget_server.db import db
from widget_server.models import ApiKey, Site, utcnow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(__file__))))


def drop_everything(app):
    """Drop every table of the app's database, alembic's included."""
    with app.app_context():
        db.metadata.drop_all(db.engine)
        with db.engine.begin() as connection:
            connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        db.engine.dispose()


@pytest.fixture
def demo_app(database_url, tmp_path):
    """Yield the demo app on an empty database, with its own instance folder."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    app.instance_path = str(tmp_path)
    app.register_blueprint(bp)
    drop_everything(app)
    yield app
    drop_everything(app)


def test_prepare_creates_once_and_shows_the_same_key_again(demo_app, tmp_path):
    first = prepare(demo_app)
    assert first == prepare(demo_app)
    key_file = tmp_path / KEY_FILE
    assert key_file.read_text().strip() == first["api_key"]
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    with demo_app.app_context():
        assert db.session.execute(sa.select(Site.name)).scalars().all() == [NAME]
        [key] = db.session.execute(sa.select(ApiKey)).scalars().all()
        assert first["api_key"] not in (key.digest, key.prefix) and key.matches(first["api_key"])
    response = demo_app.test_client().get(
        "/integrations/external/attribution",
        headers={"Authorization": f"Bearer {first['api_key']}"},
    )
    assert response.status_code == 200


def test_prepare_makes_a_demo_user_once_and_shows_the_same_login_again(demo_app, tmp_path):
    first = prepare(demo_app)
    assert (first["email"], first["password"]) == (DEMO_EMAIL, prepare(demo_app)["password"])
    login = tmp_path / LOGIN_FILE
    assert stat.S_IMODE(login.stat().st_mode) == 0o600
    login.write_text("lost\n")
    second = prepare(demo_app)["password"]
    assert second != first["password"]
    with demo_app.app_context():
        assert [s.key for s in check_password(DEMO_EMAIL, second).sites] == [first["site_key"]]


def test_revoked_or_lost_key_is_replaced(demo_app, tmp_path):
    first = prepare(demo_app)["api_key"]
    with demo_app.app_context():
        db.session.execute(sa.update(ApiKey).values(revoked_at=utcnow()))
        db.session.commit()
    second = prepare(demo_app)["api_key"]
    assert second != first
    (tmp_path / KEY_FILE).unlink()
    third = prepare(demo_app)["api_key"]
    assert third not in (first, second)
    assert (tmp_path / KEY_FILE).read_text().strip() == third


def test_page_embeds_the_widget_and_a_plain_link(demo_app):
    site_key = prepare(demo_app)["site_key"]
    page = demo_app.test_client().get("/?utm_source=demo").get_data(as_text=True)
    assert f'<script async src="/widget.js" data-site="{site_key}"' in page
    link = re.search(r'id="plain-link" href="([^"]+)"', page).group(1)
    assert link.startswith(f"/c/{site_key}?url=http%3A//localhost/%3Futm_source%3Ddemo")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_make_run_serves_the_demo(database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    drop_everything(app)
    port = free_port()
    env = {
        **os.environ,
        "WIDGET_DATABASE_URL": database_url,
        "WIDGET_DEMO_KEY_FILE": str(tmp_path / "key"),
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": ROOT,  # examples/ is not installed; `make run` starts from the root
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "examples.dev_server", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        output = ""
        while "dashboard:" not in output:
            line = server.stdout.readline()
            assert line, f"demo exited early: {output}"
            output += line
        site_key = re.search(r"site key:\s+(\S+)", output).group(1)
        assert f'data-site="{site_key}"></script>' in output
        assert re.search(r"API key:\s+" + (tmp_path / "key").read_text().strip(), output)
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                page = requests.get(base + "/", timeout=2)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline and server.poll() is None, "demo did not start"
                time.sleep(0.2)
        assert f'data-site="{site_key}"' in page.text
        link = re.search(r'id="plain-link" href="([^"]+)"', page.text).group(1)
        response = requests.get(base + link, allow_redirects=False, timeout=5)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("https://wa.me/15550100123?text=")
        assert requests.get(base + "/widget.js", timeout=5).status_code == 200
        email, password = re.search(r"sign in as (\S+), (\S+)\)", output).groups()
        browser = requests.Session()  # over plain http: the login cookie must not be Secure-only
        form = browser.get(base + "/dashboard/login", timeout=5).text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form).group(1)
        signed_in = browser.post(
            base + "/dashboard/login",
            timeout=5,
            data={"email": email, "password": password, "csrf_token": token},
        )
        assert signed_in.url == f"{base}/dashboard/sites/{site_key}/"  # fmt: skip
        assert "Unique devices" in signed_in.text
    finally:
        server.terminate()
        server.wait(timeout=20)
        drop_everything(app)
