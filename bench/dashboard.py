"""Bench the dashboard's overview over 1,000,000 sessions against the attribution API's first page.

Run with the server env: `.venv/bin/python bench/dashboard.py [--rows N] [--sqlite-only]`.
Sessions are spread evenly over the 30 days up to now, with a few dozen campaigns, landing
pages and referrers, and bulk-loaded (executemany on SQLite, COPY on a scratch PostgreSQL
database). The first overview settles every finished day into the rollups; the medians after
it are what a site owner waits for: the 30-day overview page (from the rollups, but for the
sessions a reused reference can still change, counted from their rows) and, as the baseline,
the attribution API's first page of 100 rows, both through the real app and its test client.

What serves the overview: the settled days come from the rollups (`funnel_cell`, through
ix_funnel_cell_site_day, and `funnel_day`'s device sketches). The live sessions are read through
ix_web_session_site_created (site_id, created_at) and grouped by the facet columns the database
derives with each row (utm_source, utm_medium, utm_campaign, landing, referrer_netloc: migration
0013), so no JSON or URL is taken apart per row; their devices up to an hour ago are in the open
day's kept sketch (`funnel_day.devices_until`, 0014), so only the last hour's are read.
"""

import argparse
import json
import re
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

# The repo root replaces bench/, whose click.py would shadow the click package Flask imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.attribution import medians_ms, reference, report  # noqa: E402
from bench.support import scratch_postgres  # noqa: E402
from widget_server import create_app  # noqa: E402
from widget_server.dashboard.accounts import create_user  # noqa: E402
from widget_server.dashboard.funnel import live_from  # noqa: E402
from widget_server.db import db  # noqa: E402
from widget_server.models import ApiKey, Site, WebSession, utcnow  # noqa: E402

GOAL = 20
DAYS = 30
PASSWORD = "bench password, long enough"
COLUMNS = ("site_id", "correlation_id", "device_id", "created_at", "last_click_at", "click_count",
           "click_url", "referrer", "parsed_params", "correlated_at", "lead_type")  # fmt: skip
SOURCES = [("google", "cpc"), ("facebook", "paid_social"), ("newsletter", "email"),
           ("instagram", "social"), ("bing", "cpc"), ("partner", "referral")]  # fmt: skip
REFERRERS = [None, "https://www.google.com/", "https://m.facebook.com/", "https://t.co/x",
             "https://mail.example.net/inbox", "https://www.bing.com/search?q=shoes"]  # fmt: skip


def rows(site_id: int, count: int, as_text: bool):
    """Yield count sessions evenly over the last DAYS days, with realistic shares and spreads."""
    end = utcnow().replace(tzinfo=None)
    step = timedelta(days=DAYS) / count
    for n in range(count):
        moment = end - step * (count - n)
        source, medium = SOURCES[n % len(SOURCES)]
        params = {"utm_source": source, "utm_medium": medium, "utm_campaign": f"campaign-{n % 37}"}
        url = f"https://shop.example/p/{n % 61}?utm_source={source}&gclid=G{n}"
        correlated = moment + timedelta(minutes=3) if n % 4 == 0 else None
        lead = ("won" if n % 50 == 0 else "qualified") if n % 12 == 0 else None
        if as_text:  # SQLAlchemy keeps SQLite times as text in this shape
            moment = f"{moment:%Y-%m-%d %H:%M:%S.%f}"
            correlated = correlated and f"{correlated:%Y-%m-%d %H:%M:%S.%f}"
        yield (site_id, reference(n), f"device-{n * 7 % (count * 7 // 10)}", moment, moment,
               1 + n % 3, url, REFERRERS[n % len(REFERRERS)], json.dumps(params), correlated,
               lead)  # fmt: skip


def load(app, count: int) -> tuple[int, str]:
    """Create the schema, a site, a key and a user; bulk-load count sessions."""
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Bench", whatsapp_number="15551234567")
        key, plaintext = ApiKey.issue(site, ["attribution:read"])
        db.session.add_all([site, key])
        db.session.commit()
        create_user("bench@shop.example", False, [site.key], PASSWORD)
        site_id = site.id
        db.session.close()
        indexes = WebSession.__table__.indexes  # built once after the load: far cheaper
        for index in indexes:
            index.drop(db.engine)
        raw = db.engine.raw_connection()
        try:
            cursor = raw.cursor()
            if db.engine.dialect.name == "postgresql":
                cursor.execute("ALTER TABLE web_session SET UNLOGGED")
                with cursor.copy(f"COPY web_session ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                    for row in rows(site_id, count, as_text=False):
                        copy.write_row(row)
            else:
                cursor.execute("PRAGMA journal_mode = OFF")
                cursor.execute("PRAGMA synchronous = OFF")
                marks = ", ".join("?" * len(COLUMNS))
                cursor.executemany(
                    f"INSERT INTO web_session ({', '.join(COLUMNS)}) VALUES ({marks})",
                    rows(site_id, count, as_text=True),
                )
            raw.commit()
        finally:
            raw.close()
        for index in indexes:
            index.create(db.engine)
        with db.engine.begin() as connection:
            connection.execute(sa.text("ANALYZE"))
    return site_id, plaintext


def signed_in(app):
    """Return a test client signed in to the dashboard as the bench user."""
    client = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get("/dashboard/login").text)
    response = client.post("/dashboard/login", data={"email": "bench@shop.example",
                           "password": PASSWORD, "csrf_token": token.group(1)})  # fmt: skip
    assert response.status_code == 302, response.text
    return client


def measure(app, site_id: int, key: str) -> float:
    """Time the overview and the first page; print them; return the ratio.

    Sessions within the reuse window of a click are live: counted from their rows each time."""
    with app.app_context():
        site = db.session.get(Site, site_id)
        now = utcnow()
        site_key, boundary = site.key, live_from(site, now)
        live = db.session.scalar(
            sa.select(sa.func.count(WebSession.id)).where(
                WebSession.site_id == site_id,
                WebSession.created_at >= now - timedelta(hours=site.reuse_hours),
            )
        )
    client = signed_in(app)
    overview_url = f"/dashboard/sites/{site_key}/?range=30d"
    last = boundary - timedelta(days=1)
    settled_url = (f"/dashboard/sites/{site_key}/?range=custom"
                   f"&from={last - timedelta(days=DAYS - 1)}&to={last}")  # fmt: skip

    def overview(url=overview_url):
        response = client.get(url)
        assert response.status_code == 200 and 'data-step="clicks"' in response.text

    def first_page():
        response = client.get("/integrations/external/attribution?limit=100",
                              headers={"Authorization": f"Bearer {key}"})  # fmt: skip
        assert response.status_code == 200 and len(response.get_json()["data"]) == 100

    began = time.perf_counter()
    overview()  # settles every finished day once
    print(f"  first overview, settling {DAYS} days of rollups: "
          f"{time.perf_counter() - began:.1f} s", flush=True)  # fmt: skip
    page_ms, overview_ms, settled_ms = medians_ms(
        first_page, overview, lambda: overview(settled_url)
    )
    report("attribution API, first page of 100 (baseline)", page_ms, page_ms)
    report(f"overview, 30 days ({live:,} sessions live)", overview_ms, page_ms, goal=GOAL)
    report(f"  30 settled days to {last} (rollups only)", settled_ms, page_ms)
    return overview_ms / page_ms


def run(url: str, count: int) -> None:
    """Load and measure one database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "DASHBOARD_COOKIE_SECURE": False})  # fmt: skip
    began = time.perf_counter()
    site_id, key = load(app, count)
    name = sa.engine.make_url(url).get_backend_name()
    print(f"{name}: {count:,} sessions loaded in {time.perf_counter() - began:.1f} s", flush=True)
    measure(app, site_id, key)
    with app.app_context():
        db.engine.dispose()


def main() -> None:
    """Bench SQLite, then PostgreSQL on a scratch database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--sqlite-only", action="store_true")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        run(f"sqlite:///{scratch}/bench.db", options.rows)
    if options.sqlite_only:
        return
    with scratch_postgres() as url:
        run(url, options.rows)


if __name__ == "__main__":
    main()
