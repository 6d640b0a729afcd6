"""The click link's load run: the real click paced at a fixed rate, every 302 accounted for."""

import http.client
import multiprocessing
import random
import statistics
import threading
import time
from urllib.parse import parse_qs, urlencode, urlsplit

from bench.support import Gunicorn, flask_cli

AGENT = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
PAGE = "https://shop.example/p?utm_source=load&utm_campaign=spring"
APP = "widget_server:create_app()"
LOADERS, DEVICES = 2, 2000


def paced(port: int, path: str, rate: float, seconds: float, threads: int, results) -> None:
    """Send rate requests a second from this process's threads for seconds; report each answer."""
    answers, lock = [], threading.Lock()
    start = time.monotonic() + 0.2

    def worker(offset: float):
        rng = random.Random()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        interval, due, mine = threads / rate, start + offset, []
        while due < start + seconds:
            time.sleep(max(0.0, due - time.monotonic()))
            query = urlencode({"device_id": f"d{rng.randrange(DEVICES)}", "url": PAGE})
            sent = time.monotonic()
            try:
                connection.request("GET", f"{path}?{query}", headers={"User-Agent": AGENT})
                response = connection.getresponse()
                response.read()
                mine.append((response.status, response.getheader("Location", ""),
                             time.monotonic() - sent))  # fmt: skip
            except (OSError, http.client.HTTPException):
                connection.close()
                mine.append((0, "", time.monotonic() - sent))
            due += interval  # open loop: a slow answer does not slow the schedule
        with lock:
            answers.extend(mine)

    pool = [threading.Thread(target=worker, args=(n / rate,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put(answers)


def unloaded_p50(port: int, path: str, count: int = 300) -> float:
    """Median latency of one request at a time."""
    connection, times = http.client.HTTPConnection("127.0.0.1", port, timeout=10), []
    for n in range(count):
        sent = time.monotonic()
        connection.request("GET", f"{path}?device_id=u{n}&url=x", headers={"User-Agent": AGENT})
        connection.getresponse().read()
        times.append(time.monotonic() - sent)
    return statistics.median(times)


def load_run(name: str, env: dict, rate: float, seconds: float, workers: int, threads: int):
    """Pace a fresh site at rate for seconds; print errors, accounting and p99 / unloaded p50."""
    import json

    import sqlalchemy as sa

    created = flask_cli(env, "sites", "create", "--name", "Load", "--whatsapp-number",
                        "15551234567", "--json")  # fmt: skip
    key = json.loads(created)["site_key"]
    flask_cli(env, "webhooks", "add", "--site", key, "--url", "http://127.0.0.1:9/hook")
    path = f"/c/{key}"
    with Gunicorn(APP, workers, threads, env) as server:
        base = unloaded_p50(server.port, path)
        results = multiprocessing.Queue()
        loaders = [multiprocessing.Process(target=paced, args=(server.port, path, rate / LOADERS,
                   seconds, threads, results)) for _ in range(LOADERS)]  # fmt: skip
        for loader in loaders:
            loader.start()
        answers = [a for _ in loaders for a in results.get(timeout=seconds + 120)]
        for loader in loaders:
            loader.join()
    redirects = [location for status, location, _ in answers if status == 302]
    references = [parse_qs(urlsplit(loc).query).get("text", [""])[0].split(" ")[1]
                  for loc in redirects if "?text=" in loc]  # fmt: skip
    latencies = sorted(latency for _, _, latency in answers)
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    engine = sa.create_engine(env["WIDGET_DATABASE_URL"])
    with engine.connect() as connection:
        site_id = connection.scalar(sa.text("SELECT id FROM site WHERE key = :k"), {"k": key})
        count = lambda sql: connection.scalar(sa.text(sql), {"s": site_id})  # noqa: E731
        # The unloaded probe's clicks are on this site too: count them out by their device ids.
        rows = count("SELECT count(*) FROM web_session WHERE site_id = :s AND device_id LIKE 'd%'")
        listed = sa.text("SELECT correlation_id FROM web_session WHERE site_id = :s")
        stored = {row[0] for row in connection.execute(listed, {"s": site_id})}
        events = count("SELECT count(*) FROM webhook_event WHERE site_id = :s")
        deliveries = count("SELECT count(*) FROM webhook_delivery d JOIN webhook_event e"
                           " ON e.id = d.event_id WHERE e.site_id = :s")  # fmt: skip
    engine.dispose()
    errors = len(answers) - len(redirects)
    probe = 300
    print(f"\nload run, {name}: {rate:.0f} req/s (half the peak) for {seconds:.0f} s")
    print(f"  {len(answers)} requests, {errors} errors, {len(redirects)} x 302, "
          f"{len(redirects) - len(references)} without a reference")  # fmt: skip
    print(f"  rows {rows} for {len(set(references))} references handed out, "
          f"{len(set(references) - stored)} missing; events {events - probe} and deliveries "
          f"{deliveries - probe} for {len(references)} recorded 302s")  # fmt: skip
    print(
        f"  latency p99 {p99 * 1000:.1f} ms / unloaded p50 {base * 1000:.1f} ms = {p99 / base:.1f}"
    )
