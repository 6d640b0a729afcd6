"""Bench the attribution API: a page 10,000 rows deep against the first page, over 1,000,000 rows.

Run with the server env: `.venv/bin/python bench/attribution.py [--rows N] [--sqlite-only]`.
Rows are bulk-loaded (executemany on SQLite, COPY on a scratch PostgreSQL database), then pages
are fetched through the real app with the Flask test client. Also times the case-insensitive
correlation lookup with the index on lower(correlation_id), and without it for contrast.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

# The repo root replaces bench/, whose click.py would shadow the click package Flask imports.
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench.support import scratch_postgres  # noqa: E402
from widget_server import create_app  # noqa: E402
from widget_server.api import cursor  # noqa: E402
from widget_server.db import db  # noqa: E402
from widget_server.models import ApiKey, Site, WebSession  # noqa: E402
from widget_server.sessions.rows import Filters, one  # noqa: E402

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
START = datetime(2025, 1, 1, tzinfo=UTC)
COLUMNS = ("site_id", "correlation_id", "device_id", "created_at", "last_click_at",
           "click_count", "click_url", "parsed_params", "ip_address", "user_agent")  # fmt: skip
REPEATS = 30
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
        db.session.close()  # release the read that site.id began before the bulk load
        # Indexes built once after the load cost a fraction of a million incremental inserts.
        indexes = WebSession.__table__.indexes
        for index in indexes:
            index.drop(db.engine)
        raw = db.engine.raw_connection()
        try:
            if db.engine.dialect.name == "postgresql":
                copy_postgres(raw, site_id, count)
            else:
                insert_sqlite(raw, site_id, count)
        finally:
            raw.close()
        for index in indexes:
            index.create(db.engine)
        with db.engine.begin() as conn:
            conn.execute(sa.text("ANALYZE"))
    return site_id, plaintext


def copy_postgres(raw, site_id: int, count: int) -> None:
    """Load rows with COPY into an unlogged table: a scratch database needs no crash safety."""
    with raw.cursor() as cur:
        cur.execute("ALTER TABLE web_session SET UNLOGGED")
        with cur.copy(f"COPY web_session ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows(site_id, count, as_text=False):
                copy.write_row(row)
    raw.commit()


def insert_sqlite(raw, site_id: int, count: int) -> None:
    """Load rows with one executemany, without a journal: a scratch file needs no rollback."""
    raw.cursor().execute("PRAGMA journal_mode = OFF")
    raw.cursor().execute("PRAGMA synchronous = OFF")
    marks = ", ".join("?" * len(COLUMNS))
    raw.cursor().executemany(
        f"INSERT INTO web_session ({', '.join(COLUMNS)}) VALUES ({marks})",
        rows(site_id, count, as_text=True),
    )
    raw.commit()


def medians_ms(*actions) -> list[float]:
    """Run the actions in turn REPEATS times after a warm-up; return each one's median in ms."""
    # Interleaved, so that load from other processes weighs on every action alike.
    times = [[] for _ in actions]
    for round_ in range(REPEATS + 1):
        for action, samples in zip(actions, times, strict=True):
            began = time.perf_counter()
            action()
            if round_:
                samples.append((time.perf_counter() - began) * 1000)
    return [statistics.median(samples) for samples in times]


def deep_position(app, site_id: int, depth: int):
    """Return (created_at, id) of the row depth places from the newest."""
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
    first_ms, deep_ms, half_ms = medians_ms(
        lambda: get(url), lambda: get(deep_url), lambda: get(f"{url}&cursor={half}")
    )
    report("first page, 100 rows (baseline)", first_ms, first_ms)
    report(f"page {DEPTH:,} rows deep", deep_ms, first_ms, goal=1.5)
    report(f"page {count // 2:,} rows deep", half_ms, first_ms, goal=1.5)

    exact = reference(count // 3)
    retyped = "O-" + exact[2:].swapcase()
    with app.app_context():
        assert one(site_id, retyped).correlation_id == exact
        exact_ms, indexed_ms = medians_ms(
            lambda: one(site_id, exact), lambda: one(site_id, retyped)
        )
        # For contrast, what the lookup costs without the index on lower(correlation_id).
        db.session.execute(sa.text("DROP INDEX ix_web_session_site_lower_cid"))
        db.session.commit()
        [scan_ms] = medians_ms(lambda: one(site_id, retyped))
    report("correlation lookup, exact (baseline)", exact_ms, exact_ms)
    report("  retyped in another case (lower() index)", indexed_ms, exact_ms)
    report("  retyped, without that index", scan_ms, exact_ms)


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
    with scratch_postgres() as url:
        run(url, options.rows)


if __name__ == "__main__":
    main()
