"""Bench webhook delivery: one worker against a plain requests.Session, and click-to-delivery.

Run with the server env: `.venv/bin/python bench/webhooks.py [--events N] [--clicks N]
[--sqlite-only]`. Everything stays on 127.0.0.1: a receiver process answering 200, the app under
gunicorn, the worker as `flask webhooks worker`.
- throughput: the worker (`Worker.run(once=True)`: claim, sign, POST, record) delivers N queued
  events; the baseline is a bare `requests.Session` POSTing the same N bodies to the same
  receiver. Rounds alternate; the best of each counts. Goal: worker/baseline >= 0.5.
- latency: with the worker idle, a click on the real app until the receiver has the signed
  `widget.click`. Goal: p50 < 200 ms. Also the idle worker's CPU use.
"""

import argparse
import contextlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Run as `python bench/webhooks.py`, bench/click.py would shadow the `click` package Flask imports.
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path[:] = [ROOT, *(path for path in sys.path if os.path.abspath(path or ".") != HERE)]

from bench.support import (  # noqa: E402
    Gunicorn,
    cpu_seconds,
    flask_cli,
    new_site,
    scratch_postgres,
)

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
PAGE = "https://shop.example/p?utm_source=bench&utm_campaign=spring"


def serve(port_file: str) -> None:
    """Be the receiver: answer 200, print `<arrival time> <correlation_id>` per request."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            arrived = time.time()
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")
            print(f"{arrived} {json.loads(body)['data']['correlation_id']}", flush=True)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    with open(port_file, "w") as out:
        out.write(str(server.server_address[1]))
    server.serve_forever()


def read(path: str) -> str:
    try:
        with open(path) as source:
            return source.read()
    except FileNotFoundError:
        return ""


class Receiver:
    """The receiver process and the arrival times it reports."""

    def __init__(self, workdir: str):
        port_file = os.path.join(workdir, "receiver.port")
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", port_file], stdout=subprocess.PIPE, text=True
        )
        deadline = time.monotonic() + 30
        while not (port := read(port_file)):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise SystemExit("the receiver did not start")
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{port}/hook"
        self.arrivals: dict[str, float] = {}
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.process.stdout:
            arrived, reference = line.split()
            self.arrivals[reference] = float(arrived)

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def prepare(database_url: str, receiver_url: str) -> tuple[dict, str]:
    """Migrate, create a site and its endpoint; return the env and the site key."""
    env = {
        **os.environ,
        "WIDGET_DATABASE_URL": database_url,
        "WIDGET_WEBHOOK_ALLOW_PRIVATE": "true",
    }
    site_key = new_site(env)
    flask_cli(env, "webhooks", "add", "--site", site_key, "--url", receiver_url)
    return env, site_key


def queue_events(app, site_key: str, count: int) -> list[str]:
    """Commit count widget.click events; return their bodies as the worker will send them."""
    import sqlalchemy as sa

    from widget_server.db import db
    from widget_server.models import Site
    from widget_server.webhooks import enqueue
    from widget_server.webhooks.tables import WebhookEvent

    with app.app_context():
        site_id = db.session.scalar(sa.select(Site.id).where(Site.key == site_key))
        first = uuid.uuid4().hex[:6]
        for number in range(count):
            data = {"correlation_id": f"B-{first}{number}", "device_id": f"d{number}",
                    "click_url": PAGE, "parsed_params": {"utm_source": "bench"},
                    "user_agent": AGENT, "ip_address": "203.0.113.7"}  # fmt: skip
            enqueue(site_id, "widget.click", data)
            if number % 200 == 199:
                db.session.commit()
        db.session.commit()
        events = db.session.scalars(
            sa.select(WebhookEvent).order_by(WebhookEvent.id.desc()).limit(count)
        ).all()
        return [event.body() for event in reversed(events)]


def baseline(url: str, bodies: list[str]) -> float:
    """POST each body with a bare requests.Session; return posts per second."""
    import requests

    session = requests.Session()
    started = time.perf_counter()
    for body in bodies:
        response = session.post(url, data=body.encode(), timeout=10,
                                headers={"Content-Type": "application/json"})  # fmt: skip
        response.raise_for_status()
    return len(bodies) / (time.perf_counter() - started)


def delivered_by_worker(app, count: int) -> float:
    """Deliver everything due with one in-process worker; return deliveries per second."""
    from widget_server.webhooks.worker import Worker

    worker = Worker(app)
    started = time.perf_counter()
    worker.run(once=True)
    return count / (time.perf_counter() - started)


def throughput(database_url: str, site_key: str, receiver: Receiver, count: int, rounds: int):
    from widget_server import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "WEBHOOK_ALLOW_PRIVATE": True})
    best = {"baseline": 0.0, "worker": 0.0}
    for _ in range(rounds):
        bodies = queue_events(app, site_key, count)
        best["baseline"] = max(best["baseline"], baseline(receiver.url, bodies))
        best["worker"] = max(best["worker"], delivered_by_worker(app, count))
    return best


def latency(env: dict, site_key: str, receiver: Receiver, clicks: int) -> dict:
    """Click the running app with the worker idle; return latencies (s) and idle CPU share."""
    import requests

    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "widget_server", "webhooks", "worker"],
        env=env, cwd=ROOT, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    session = requests.Session()
    try:
        with Gunicorn("widget_server:create_app()", env=env) as server:
            delivery, answer = [], []
            for number in range(-3, clicks):  # three warm-up clicks are not counted
                time.sleep(random.uniform(0.05, 0.25))  # let the worker go idle, at any poll phase
                started = time.time()
                response = session.get(
                    f"{server.url}/c/{site_key}",
                    params={"device_id": f"lat-{uuid.uuid4().hex}", "url": PAGE},
                    headers={"Accept": "application/json", "User-Agent": AGENT}, timeout=10,
                )  # fmt: skip
                answered = time.time()
                reference = response.json()["correlation_id"]
                while reference not in receiver.arrivals:
                    if time.time() - started > 10:
                        raise SystemExit(f"click {reference} was not delivered within 10 s")
                    time.sleep(0.001)
                if number >= 0:
                    delivery.append(receiver.arrivals[reference] - started)
                    answer.append(answered - started)
            before, idle_started = cpu_seconds(worker.pid), time.monotonic()
            time.sleep(3)
            idle_cpu = (cpu_seconds(worker.pid) - before) / (time.monotonic() - idle_started)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    return {"delivery": delivery, "answer": answer, "idle_cpu": idle_cpu}


def percentile(values: list[float], share: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(share * 100) - 1]


def report(name: str, best: dict, timings: dict) -> None:
    ratio = best["worker"] / best["baseline"]
    p50, p99 = (percentile(timings["delivery"], share) * 1000 for share in (0.5, 0.99))
    answer = percentile(timings["answer"], 0.5) * 1000
    print(f"\n{name}")
    print(f"  plain requests.Session  {best['baseline']:7.0f} posts/s       (baseline)")
    print(f"  one worker              {best['worker']:7.0f} deliveries/s  ratio {ratio:.2f}"
          f"  (goal >= 0.5: {'ok' if ratio >= 0.5 else 'BELOW GOAL'})")  # fmt: skip
    print(f"  click -> delivery       p50 {p50:5.0f} ms  p99 {p99:5.0f} ms"
          f"  (goal p50 < 200 ms: {'ok' if p50 < 200 else 'BELOW GOAL'})")  # fmt: skip
    print(f"  click answered          p50 {answer:5.0f} ms  (the click never waits for delivery)")
    print(f"  idle worker CPU         {timings['idle_cpu'] * 100:5.1f} % of one core")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1000, help="events per throughput round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clicks", type=int, default=40, help="clicks timed for latency")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="wah-bench-webhooks-"))
        receiver = Receiver(workdir)
        stack.callback(receiver.stop)
        databases = {"sqlite": "sqlite:///" + os.path.join(workdir, "bench.db")}
        if not args.sqlite_only:
            databases["postgresql"] = stack.enter_context(scratch_postgres())
        for name, url in databases.items():
            print(f"{name}: {args.rounds} x {args.events} events, {args.clicks} clicks", flush=True)
            env, site_key = prepare(url, receiver.url)
            best = throughput(url, site_key, receiver, args.events, args.rounds)
            report(name, best, latency(env, site_key, receiver, args.clicks))


if __name__ == "__main__":
    main()
