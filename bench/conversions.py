"""Bench conversion delivery: one worker against a plain requests.Session on the same stand-in.

Run with the server env: `.venv/bin/python bench/conversions.py [--conversions N] [--rounds N]
[--sqlite-only]`. The ad-platform stand-in (`python -m examples.ads_standin`) runs in its own
process on 127.0.0.1; N `conversation.correlated` events are queued for a GA4 destination, then:
- worker: `Worker.run(once=True)` claims, builds, POSTs to `/mp/collect` and records each one;
- baseline: a bare `requests.Session` POSTs the same N bodies to the same URL.
Rounds alternate; the best of each counts. Goal: worker/baseline >= 0.5.
"""

import argparse
import contextlib
import os
import subprocess
import sys
import tempfile
import time

# Run as `python bench/conversions.py`, bench/click.py would shadow the `click` package.
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:] = [ROOT, *(path for path in sys.path if os.path.abspath(path or ".") != HERE)]

from bench.support import free_port, scratch_postgres  # noqa: E402

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@contextlib.contextmanager
def standin():
    """Run the ad-platform stand-in in its own process; yield its base URL."""
    import requests

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.ads_standin", "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/_received?platform=none", timeout=1)
            break
        except requests.ConnectionError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("the ad-platform stand-in did not start") from None
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def prepare(database_url: str, standin_url: str):
    """Create the schema, a site and a GA4 destination on the stand-in; return app and site id."""
    from examples.ads_standin import DEFAULTS
    from widget_server import create_app
    from widget_server.conversions import destinations
    from widget_server.db import db
    from widget_server.models import Site

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WEBHOOK_ALLOW_PRIVATE": True})
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Bench", whatsapp_number="15551234567")
        db.session.add(site)
        db.session.commit()
        values = {"measurement_id": "G-BENCH0001", "api_secret": DEFAULTS["GA4_API_SECRET"],
                  "api_base": standin_url}  # fmt: skip
        destinations.add(site.key, "ga4", values)
        return app, site.id


def queue_conversions(app, site_id: int, count: int) -> list:
    """Commit count correlated conversations; return the requests the worker will send."""
    import sqlalchemy as sa

    import correlation_id
    from widget_server.conversions import dispatch
    from widget_server.conversions.conversion_queue import job_of
    from widget_server.conversions.conversion_tables import ConversionDelivery
    from widget_server.db import db
    from widget_server.models import isoformat, utcnow
    from widget_server.webhooks import enqueue

    with app.app_context():
        for number in range(count):
            data = {"correlation_id": correlation_id.new_id(), "created_at": isoformat(utcnow()),
                    "click_url": "https://shop.example/", "parsed_params": {"utm_source": "b"},
                    "ip_address": "203.0.113.7", "user_agent": AGENT, "consent": "granted",
                    "browser_ids": {"ga": f"GA1.1.{number}.1700000000"}}  # fmt: skip
            enqueue(site_id, "conversation.correlated", data)
            if number % 200 == 199:
                db.session.commit()
        db.session.commit()
        rows = db.session.scalars(
            sa.select(ConversionDelivery).where(ConversionDelivery.state == "pending")
        ).all()
        return [dispatch.prepare(job_of(row), utcnow()) for row in rows]


def baseline(requests_: list) -> float:
    """POST each body with a bare requests.Session; return posts per second."""
    import json

    import requests

    session = requests.Session()
    started = time.perf_counter()
    for request in requests_:
        response = session.post(request.url, data=json.dumps(request.body), timeout=10,
                                headers={"Content-Type": "application/json"})  # fmt: skip
        response.raise_for_status()
    return len(requests_) / (time.perf_counter() - started)


def delivered_by_worker(app, count: int) -> float:
    """Deliver everything due with one in-process worker; return conversions per second."""
    import sqlalchemy as sa

    from widget_server.conversions.conversion_tables import ConversionDelivery
    from widget_server.db import db
    from widget_server.webhooks.worker import Worker

    worker = Worker(app)
    started = time.perf_counter()
    worker.run(once=True)
    elapsed = time.perf_counter() - started
    with app.app_context():
        delivered = db.session.scalar(
            sa.select(sa.func.count()).where(ConversionDelivery.state == "delivered")
        )
        pending = db.session.scalar(
            sa.select(sa.func.count()).where(ConversionDelivery.state == "pending")
        )
    if pending:
        raise SystemExit(f"{pending} conversions were left undelivered ({delivered} delivered)")
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversions", type=int, default=500, help="conversions per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="wah-bench-conv-"))
        url = stack.enter_context(standin())
        databases = {"sqlite": "sqlite:///" + os.path.join(workdir, "bench.db")}
        if not args.sqlite_only:
            databases["postgresql"] = stack.enter_context(scratch_postgres())
        for name, database_url in databases.items():
            app, site_id = prepare(database_url, url)
            best = {"baseline": 0.0, "worker": 0.0}
            for _ in range(args.rounds):
                requests_ = queue_conversions(app, site_id, args.conversions)
                best["baseline"] = max(best["baseline"], baseline(requests_))
                best["worker"] = max(best["worker"], delivered_by_worker(app, len(requests_)))
            ratio = best["worker"] / best["baseline"]
            print(f"\n{name}: {args.rounds} x {args.conversions} GA4 conversions")
            print(f"  plain requests.Session  {best['baseline']:7.0f} posts/s        (baseline)")
            verdict = "ok" if ratio >= 0.5 else "BELOW GOAL"
            print(f"  one worker              {best['worker']:7.0f} conversions/s  "
                  f"ratio {ratio:.2f}  (goal >= 0.5: {verdict})")  # fmt: skip


if __name__ == "__main__":
    main()
