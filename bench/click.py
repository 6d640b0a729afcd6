"""Bench the click link: the real app against a bare Flask 302 and a minimal durable click.

Run with the server env: `.venv/bin/python bench/click.py [--seconds N] [--sqlite-only]`.
Each server runs as `gunicorn -k gthread -w 2 --threads 4` on 127.0.0.1; two separate processes
of four keep-alive `http.client` threads each load it for a fixed time, with ~2000 devices so
clicks both issue and reuse IDs. Rounds alternate the servers
and the best round of each counts, so a busy neighbour on the machine skews both alike; each
round's own ratio is printed too.
The minimal durable click (bench/minimal_click.py) does the click's writes with the raw driver
in one transaction: the physical limit. Goal: real / minimal >= 0.9 on SQLite and PostgreSQL.
Each line also shows the gunicorn processes' CPU time per answered request (from /proc).
Then a load run (--load-seconds, 60) paces the real click at half its peak on each database and
checks that every 302 has its row, event and delivery; it reports p99 / unloaded p50 latency.
"""

import argparse
import contextlib
import http.client
import multiprocessing
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from urllib.parse import urlencode

# Run as `python bench/click.py`, this file would shadow the `click` package Flask imports.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [os.path.dirname(HERE), *(p for p in sys.path if os.path.abspath(p or ".") != HERE)]

from bench.support import Gunicorn, flask_cli, new_site, scratch_postgres  # noqa: E402

APP = "widget_server:create_app()"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
LOCATION = "https://wa.me/15551234567?text=Reference%3A%20O-aB3dE9z%20%28Please%20send%29"
PAGE = "https://shop.example/p?utm_source=bench&utm_campaign=spring&gclid=x1"
LOADERS, THREADS, DEVICES, WARMUP = 2, 4, 2000, 1.0


def bare_app():
    """Answer the click link's 302 with no work at all: the baseline."""
    from flask import Flask, redirect

    app = Flask("bare")

    @app.get("/c/<site_key>")
    def click(site_key):
        response = redirect(LOCATION, 302)
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


# One client address sends every click here: the limits would be the whole story otherwise.
UNLIMITED = {"WIDGET_CLICK_LIMIT_CLIENT": "1000000000 per minute",
             "WIDGET_CLICK_LIMIT_SITE": "1000000000 per minute"}  # fmt: skip
HOOK = "http://127.0.0.1:9/hook"  # never delivered: no worker runs, the rows are what counts


def prepare_real(database_url: str) -> tuple[dict, str]:
    """Migrate database_url, create a site with one endpoint; return the env and the site key."""
    env = {**os.environ, "WIDGET_DATABASE_URL": database_url, **UNLIMITED,
           "WIDGET_WEBHOOK_ALLOW_PRIVATE": "true"}  # fmt: skip
    key = new_site(env)
    flask_cli(env, "webhooks", "add", "--site", key, "--url", HOOK)
    return env, key


def prepare_minimal(database_url: str) -> dict:
    """Migrate a database of the minimal click's own, with its site and endpoint; return its env."""
    prepare_real(database_url)
    return {**os.environ, "MINIMAL_DATABASE_URL": database_url, "MINIMAL_SITE_ID": "1"}


def hammer(port: int, path: str, seconds: float, results) -> None:
    """Load the server from this process with keep-alive threads; report 302s and failures."""
    counts = {"ok": 0, "failed": 0}
    lock = threading.Lock()
    start = time.monotonic()

    def worker():
        rng, ok, failed = random.Random(), 0, 0
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() - start < WARMUP + seconds:
            device = f"d{rng.randrange(DEVICES)}"
            query = urlencode({"device_id": device, "url": PAGE})
            try:
                connection.request("GET", f"{path}?{query}", headers={"User-Agent": AGENT})
                response = connection.getresponse()
                response.read()
                good = response.status == 302
            except (OSError, http.client.HTTPException):
                connection.close()
                good = False
            if time.monotonic() - start >= WARMUP:
                ok, failed = ok + good, failed + (not good)
        with lock:
            counts["ok"] += ok
            counts["failed"] += failed

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(counts)


def measure(port: int, path: str, seconds: float) -> tuple[float, int]:
    """Return requests/s of good answers and the count of failures over seconds."""
    results = multiprocessing.Queue()
    loaders = [
        multiprocessing.Process(target=hammer, args=(port, path, seconds, results))
        for _ in range(LOADERS)
    ]
    for loader in loaders:
        loader.start()
    counts = [results.get(timeout=seconds + 60) for _ in loaders]
    for loader in loaders:
        loader.join()
    return sum(c["ok"] for c in counts) / seconds, sum(c["failed"] for c in counts)


def run(name: str, target: str, env: dict | None, path: str, args) -> tuple[float, int]:
    """Start one server, warm it up, load it; print and return its rate and failures."""
    with Gunicorn(target, args.workers, THREADS, env) as server:
        measure(server.port, path, 1.0)  # first connections, imports, caches
        before = server.cpu_seconds()
        rate, failed = measure(server.port, path, args.seconds)
        cpu = server.cpu_seconds() - before
    per_request = 1000 * cpu / max(1.0, rate * args.seconds)
    print(f"  {name:<12} {rate:8.0f} req/s  ({failed} failed)  server CPU "
          f"{per_request:.2f} ms/request", flush=True)  # fmt: skip
    return rate, failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="load time per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, 4 threads each")
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--load-seconds", type=float, default=60.0, help="0 skips the load run")
    args = parser.parse_args()
    best, failures, rounds = {}, 0, {}
    with contextlib.ExitStack() as stack:
        workdir = stack.enter_context(tempfile.TemporaryDirectory(prefix="wah-bench-click-"))
        databases = {"sqlite": "sqlite:///" + os.path.join(workdir, "bench.db")}
        minimal_dbs = {"sqlite": "sqlite:///" + os.path.join(workdir, "minimal.db")}
        if not args.sqlite_only:
            databases["postgresql"] = stack.enter_context(scratch_postgres())
            minimal_dbs["postgresql"] = stack.enter_context(scratch_postgres())
        setups = {name: prepare_real(url) for name, url in databases.items()}
        servers = [("bare", "bench.click:bare_app()", None, "/c/s_bench")]
        for name, (env, key) in setups.items():
            servers.append((f"minimal {name}", "bench.minimal_click:app()",
                            prepare_minimal(minimal_dbs[name]), "/c/s_min"))  # fmt: skip
            servers.append((name, APP, env, f"/c/{key}"))
        for round_number in range(1, args.rounds + 1):
            print(f"round {round_number}/{args.rounds}, {args.seconds:.0f} s each", flush=True)
            for name, target, env, path in servers:
                rate, failed = run(name, target, env, path, args)
                best[name], failures = max(best.get(name, 0.0), rate), failures + failed
                rounds.setdefault(name, []).append(rate)
        print(f"\nclick link, best of {args.rounds} ({args.workers} workers x {THREADS} threads)")
        print(f"  bare Flask 302    {best['bare']:8.0f} req/s  (baseline)")
        for name in setups:
            minimal = best[f"minimal {name}"]
            print(
                f"  minimal, {name:<10} {minimal:8.0f} req/s  {minimal / best['bare']:.2f} of bare"
            )
            real = best[name]
            print(f"  real, {name:<13} {real:8.0f} req/s  {real / best['bare']:.2f} of bare")
            ratio = best[name] / minimal
            print(f"  real / minimal, {name}: {ratio:.2f}  "
                  f"(goal >= 0.9: {'ok' if ratio >= 0.9 else 'BELOW GOAL'})")  # fmt: skip
            # Each round measures the two back to back: its ratio shows how much the best hides.
            each = [r / m for r, m in zip(rounds[name], rounds[f"minimal {name}"], strict=True)]
            print(f"    by round: {' '.join(f'{r:.2f}' for r in each)}"
                  f" (median {statistics.median(each):.2f})")  # fmt: skip
        if failures:
            print(f"  {failures} requests failed", flush=True)
        if args.load_seconds > 0:
            from bench.click_load import load_run

            for name, (env, _) in setups.items():
                load_run(name, env, best[name] / 2, args.load_seconds, args.workers, THREADS)


if __name__ == "__main__":
    main()
