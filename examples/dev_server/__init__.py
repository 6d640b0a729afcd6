"""`make run`: the widget server alone for development, with a demo site, key, page and worker.

Development only, so it lives outside widget_server: migrate, make sure a demo site and key
exist, then serve on 127.0.0.1:5000 with a webhook worker beside it.
"""

import argparse
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Blueprint, Flask, render_template
from flask_migrate import upgrade
from sqlalchemy import select

from widget_server import create_app
from widget_server.dashboard.accounts import check_password, create_user, find_user
from widget_server.db import db
from widget_server.models import SCOPES, ApiKey, Site

NAME = "Demo shop"
NUMBER = "15550100123"  # in the 555-01xx range kept for fiction
KEY_FILE = "demo-api-key"
LOGIN_FILE = "demo-login"
DEMO_EMAIL = "demo@example.com"

bp = Blueprint("demo", __name__, template_folder="templates")


@bp.get("/")
def page() -> str:
    """Show a page embedding the widget, as a site owner's page would."""
    site = db.session.execute(select(Site).filter_by(name=NAME)).scalars().first()
    return render_template("demo.html", site=site)


def ensure_site() -> Site:
    """Return the demo site, creating it on the first run."""
    site = db.session.execute(select(Site).filter_by(name=NAME)).scalars().first()
    if site is None:
        site = Site(key=Site.new_key(), name=NAME, whatsapp_number=NUMBER)
        db.session.add(site)
        db.session.commit()
    return site


def ensure_key(site: Site, path: str) -> str:
    """Return the demo key kept in path, issuing a new one if it is missing or revoked."""
    if os.path.exists(path):
        with open(path) as saved:
            plaintext = saved.read().strip()
        prefix = ApiKey.prefix_of(plaintext)
        key = db.session.execute(select(ApiKey).filter_by(prefix=prefix)).scalar_one_or_none()
        if key and key.site_id == site.id and key.revoked_at is None and key.matches(plaintext):
            return plaintext
    key, plaintext = ApiKey.issue(site, list(SCOPES))
    db.session.add(key)
    db.session.commit()
    # Only the hash is in the database; the demo keeps its plaintext so each run can show it.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as saved:
        saved.write(plaintext + "\n")
    return plaintext


def ensure_user(site: Site, path: str) -> str:
    """Return the demo user's password kept in path; make the user, or a new password, if needed."""
    if os.path.exists(path):
        with open(path) as saved:
            password = saved.read().strip()
        if check_password(DEMO_EMAIL, password) is not None:
            return password
    user = find_user(DEMO_EMAIL)
    if user is None:
        _, password = create_user(DEMO_EMAIL, False, [site.key])
    else:
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        db.session.commit()
    # Only the hash is in the database; the demo keeps the password so each run can show it.
    with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as saved:
        saved.write(password + "\n")
    return password


def prepare(app: Flask) -> dict[str, str]:
    """Bring the database to head and return the demo site key, API key and dashboard login."""
    with app.app_context():
        upgrade()
        site = ensure_site()
        key_file = app.config["DEMO_KEY_FILE"] or os.path.join(app.instance_path, KEY_FILE)
        api_key = ensure_key(site, key_file)
        password = ensure_user(site, os.path.join(os.path.dirname(key_file), LOGIN_FILE))
        info = {"site_key": site.key, "api_key": api_key, "email": DEMO_EMAIL,
                "password": password}  # fmt: skip
        db.engine.dispose()  # the workers open their own connections after the fork
    return info


def banner(info: dict[str, str], url: str) -> str:
    """Describe the running demo: where it is, the embed snippet and the credentials."""
    snippet = f'<script async src="{url}/widget.js" data-site="{info["site_key"]}"></script>'
    return "\n".join(
        [
            f"wa-handoff widget server on {url} (demo page at {url}/)",
            f"  embed:     {snippet}",
            f"  site key:  {info['site_key']}",
            f"  API key:   {info['api_key']}",
            f"  dashboard: {url}/dashboard/ (sign in as {info['email']}, {info['password']})",
            f"  try:       curl -s {url}/integrations/external/attribution "
            f"-H 'Authorization: Bearer {info['api_key']}'",
        ]
    )


def serve(app: Flask, host: str, port: int, threads: int = 4) -> None:
    """Serve app with gunicorn, one worker with a few threads (SQLite likes one writer)."""
    from gunicorn.app.base import BaseApplication

    class Server(BaseApplication):
        def load_config(self):
            options = {"bind": f"{host}:{port}", "workers": 1, "threads": threads}
            for name, value in {**options, "worker_class": "gthread", "accesslog": "-"}.items():
                self.cfg.set(name, value)

        def load(self):
            return app

    Server().run()


@contextmanager
def worker_process() -> Iterator[subprocess.Popen[bytes]]:
    """Run `flask --app widget_server webhooks worker` beside the caller until the block ends."""
    command = [sys.executable, "-m", "flask", "--app", "widget_server", "webhooks", "worker"]
    process = subprocess.Popen(command)
    owner = os.getpid()
    try:
        yield process
    finally:
        # Forked children (gunicorn workers) leave the block too; only the parent stops it.
        if os.getpid() == owner:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


def main(argv: list[str] | None = None) -> None:
    """Run the demo server."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5000)
    args = parser.parse_args(argv)
    # The dev server speaks plain http, where a Secure cookie would never come back.
    os.environ.setdefault("WIDGET_DASHBOARD_COOKIE_SECURE", "false")
    app = create_app()
    app.register_blueprint(bp)
    info = prepare(app)
    print(banner(info, f"http://{args.host}:{args.port}"), flush=True)
    with worker_process():  # delivers the webhooks of the clicks served below
        serve(app, args.host, args.port)
