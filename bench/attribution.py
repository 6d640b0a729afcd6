"""Bench the attribution API: a page 10,000 rows deep against the first page, over 1,000,000 rows.

Run with the server env: `.venv/bin/python bench/attribution.py [--rows N] [--sqlite-only]`.
Rows are bulk-loaded (executemany on SQLite, COPY on a scratch PostgreSQL database), then pages
are fetched through the real app with the Flask test client. Also times the case-insensitive
correlation lookup, which scans the site's rows unless an index on lower(correlation_id) exists.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from widget_server import create_app
from widget_server.api import cursor
from widget_server.attribution import Filters
from widget_server.correlate import find
from widget_server.db import db
from widget_server.models import ApiKey, Site

POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
START = datetime(2025, 1, 1, tzinfo=UTC)
COLUMNS = ("site_id", "correlation_id", "device_id", "created_at", "last_click_at",
           "click_count", "click_url", "parsed_params", "ip_address", "user_agent")  # fmt: skip
REPEATS = 25
DEPTH = 10_000


def reference(n: int) -> str:
    """Return a distinct, valid correlation ID for row n, scattered over the whole ID space."""
    # A multiplier coprime with 62**7 is a bijection, so no two rows share an ID in any case.
    n = n * 1_000_003 % 62**7
    digits = ""
    for _ in range(7):
        n, digit = divmod(n, 62)
        digits += ALPHABET[digit]
    return "O-" + digits


def rows(site_id: int, count: int, as_text: bool):
    """Yield count rows, two per second so that ties on created_at are common."""
    params = json.dumps({"utm_source": "news", "utm_campaign": "spring"})
    for n in range(count):
        moment = (START + timedelta(seconds=n // 2)).replace(tzinfo=None)
        if as_text:  # SQLAlchemy keeps SQLite times as text in this shape
            moment = f"{moment:%Y-%m-%d %H:%M:%S.%f}"
        url = f"https://shop.example/p/{n}?utm_source=news"
        yield (
            site_id,
            reference(n),
            f"dev-{n}",
            moment,
            moment,
            1,
            url,
            params,
            "203.0.113.7",
            "b",
        )


def load(app, count: int) -> tuple[int, str]:
    """Create the schema, a site and a key, bulk-load count rows; return site id and key."""
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Bench", whatsapp_number="15551234567")
        key, plaintext = ApiKey.issue(site, ["attribution:read"])
        db.session.add_all([site, key])
        db.session.commit()
        site_id = site.id
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                with (
                    raw.cursor() as cur,
                    cur.copy(f"COPY web_session ({', '.join(COLUMNS)}) FROM STDIN") as copy,
                ):
                    for row in rows(site_id, count, as_text=False):
                        copy.write_row(row)
                raw.commit()
                with raw.cursor() as cur:
                    cur.execute("ANALYZE web_session")
            else:
                marks = ", ".join("?" * len(COLUMNS))
                raw.cursor().executemany(
                    f"INSERT INTO web_session ({', '.join(COLUMNS)}) VALUES ({marks})",
                    rows(site_id, count, as_text=True),
                )
                raw.commit()
                raw.cursor().execute("ANALYZE")
        finally:
            raw.close()
    return site_id, plaintext


def median_ms(action) -> float:
    """Run action REPEATS times after one warm-up; return the median in milliseconds."""
    action()
    times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        action()
        times.append((time.perf_counter() - began) * 1000)
    return statistics.median(times)


def deep_position(app, site_id: int, depth: int):
    """Return (created_at, id) of the row depth places from the newest."""
    from widget_server.models import WebSession

    with app.app_context():
        return db.session.execute(
            sa.select(WebSession.created_at, WebSession.id)
            .where(WebSession.site_id == site_id)
            .order_by(WebSession.created_at.desc(), WebSession.id.desc())
            .offset(depth - 1)
            .limit(1)
        ).one()


def measure(app, site_id: int, key: str, count: int) -> None:
    """Time the pages and lookups on a loaded database and print them with their ratios."""
    client = app.test_client()
    headers = {"Authorization": f"Bearer {key}"}
    url = "/integrations/external/attribution?limit=100"

    def get(target):
        response = client.get(target, headers=headers)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    # Walk the cursors down to 10,000 rows deep, as a client would, and check the rows on the way.
    page, seen = get(url), 0
    while seen + 100 < DEPTH:
        seen += len(page["data"])
        page = get(f"{url}&cursor={page['next_cursor']}")
    deep_url = f"{url}&cursor={page['next_cursor']}"
    assert get(deep_url)["data"][0]["correlation_id"] == reference(count - DEPTH - 1)
    with app.test_request_context():
        half = cursor.encode(site_id, Filters(), tuple(deep_position(app, site_id, count // 2)))
    first_ms = median_ms(lambda: get(url))
    deep_ms = median_ms(lambda: get(deep_url))
    half_ms = median_ms(lambda: get(f"{url}&cursor={half}"))
    report("first page, 100 rows (baseline)", first_ms, first_ms)
    report(f"page {DEPTH:,} rows deep", deep_ms, first_ms, goal=1.5)
    report(f"page {count // 2:,} rows deep", half_ms, first_ms, goal=1.5)

    exact = reference(count // 3)
    retyped = "O-" + exact[2:].swapcase()
    with app.app_context():
        exact_ms = median_ms(lambda: find(site_id, exact))
        scan_ms = median_ms(lambda: find(site_id, retyped))
        db.session.execute(sa.text(
            "CREATE INDEX ix_bench_lower_cid ON web_session (site_id, lower(correlation_id))"
        ))  # fmt: skip
        db.session.commit()
        indexed_ms = median_ms(lambda: find(site_id, retyped))
        assert find(site_id, retyped).correlation_id == exact
    report("correlation lookup, exact (baseline)", exact_ms, exact_ms)
    report("  retyped in another case, no index", scan_ms, exact_ms)
    report("  retyped, index on lower(correlation_id)", indexed_ms, exact_ms)


def report(label: str, ms: float, baseline: float, goal: float | None = None) -> None:
    """Print one timing with its ratio to the baseline."""
    verdict = "" if goal is None else ("  goal met" if ms <= goal * baseline else "  GOAL MISSED")
    print(f"  {label:<44} {ms:9.2f} ms  {ms / baseline:6.2f}x{verdict}", flush=True)


def run(url: str, count: int) -> None:
    """Load and measure one database."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    began = time.perf_counter()
    site_id, key = load(app, count)
    name = sa.engine.make_url(url).get_backend_name()
    print(f"{name}: {count:,} rows loaded in {time.perf_counter() - began:.1f} s", flush=True)
    measure(app, site_id, key, count)
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
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    name = f"wah_bench_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as error:
        sys.exit(
            f"PostgreSQL at {POSTGRES_URL} is not reachable ({error.orig}). Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
            "(or pass --sqlite-only)"
        )
    try:
        run(
            sa.engine.make_url(POSTGRES_URL).set(database=name).render_as_string(False),
            options.rows,
        )
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
