"""Real loopback receivers and small database helpers for the webhook tests."""

import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import sqlalchemy as sa

from widget_server.db import db
from widget_server.models import Site
from widget_server.webhooks import endpoints, enqueue
from widget_server.webhooks.tables import WebhookDelivery


class Receiver:
    """An HTTP server on 127.0.0.1 that records each request and answers as `respond` says.

    `respond(receiver, headers, body)` returns (status, headers, body); the default is 200.
    It also records webhook-ids that arrived while the same id was still being handled.
    """

    def __init__(self, respond=None, port: int = 0, hold: float = 0.0, tls=None):
        self.respond = respond or (lambda receiver, headers, body: (200, {}, b"ok"))
        self.hold = hold
        self.tls = tls  # (certfile, keyfile) to serve HTTPS
        self.port = port
        self.received: list[tuple[dict, bytes]] = []
        self.arrived: list[str] = []  # webhook-ids as requests come in, before any answer
        self.in_flight: set[str] = set()
        self.overlaps: list[str] = []
        self.peer_ports: set[int] = set()
        self.lock = threading.Lock()
        self.server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> "Receiver":
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                headers = {key.lower(): value for key, value in self.headers.items()}
                status, extra, answer = receiver.handle(headers, body, self.client_address[1])
                try:
                    self.send_response(status)
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.send_header("Content-Length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the sender gave up waiting (a timeout test) or was killed

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        if self.tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def handle(self, headers: dict, body: bytes, peer_port: int):
        msg_id = headers.get("webhook-id", "")
        with self.lock:
            if msg_id in self.in_flight:
                self.overlaps.append(msg_id)
            self.in_flight.add(msg_id)
            self.arrived.append(msg_id)
            self.peer_ports.add(peer_port)
        try:
            if self.hold:
                time.sleep(self.hold)
            answer = self.respond(self, headers, body)
            with self.lock:
                self.received.append((headers, body))
            return answer
        finally:
            with self.lock:
                self.in_flight.discard(msg_id)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def ids(self) -> list[str]:
        with self.lock:
            return [headers["webhook-id"] for headers, _ in self.received]

    def wait_for(self, count: int, timeout: float = 20.0) -> None:
        """Wait until count requests arrived, or fail saying how many did."""
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"receiver got {len(self.received)} of {count} requests")
            time.sleep(0.01)


def add_endpoint(app, site_key: str, url: str, events=()) -> tuple[int, str]:
    """Register an endpoint; return its id and secret."""
    with app.app_context():
        endpoint, secret = endpoints.add(site_key, url, list(events))
        return endpoint.id, secret


def enqueue_many(app, site_key: str, count: int, event_type: str = "widget.click") -> None:
    """Commit count events of one site, a few per transaction."""
    with app.app_context():
        site_id = db.session.scalar(sa.select(Site.id).where(Site.key == site_key))
        for number in range(count):
            enqueue(site_id, event_type, {"correlation_id": f"O-{number:07d}", "n": number})
            if number % 100 == 99 or number == count - 1:
                db.session.commit()


def deliveries(app) -> list[WebhookDelivery]:
    """Return every delivery row, oldest first, detached from the session."""
    with app.app_context():
        rows = db.session.scalars(sa.select(WebhookDelivery).order_by(WebhookDelivery.id)).all()
        db.session.expunge_all()
        return rows


class WorkerThread:
    """A Worker running in a thread of the test process, stopped on exit."""

    def __init__(self, app):
        from widget_server.webhooks.worker import Worker

        self.worker = Worker(app)
        self.thread = threading.Thread(target=self.worker.run, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self.worker

    def __exit__(self, *exc):
        self.worker.stop()
        self.thread.join(timeout=30)


FAST_RETRIES = {
    "WEBHOOK_BACKOFF_BASE": 0.05,
    "WEBHOOK_BACKOFF_FACTOR": 2,
    "WEBHOOK_BACKOFF_CAP": 0.2,
    "WEBHOOK_POLL_INTERVAL": 0.02,
    "WEBHOOK_TIMEOUT": 3.0,
    "WEBHOOK_CONNECT_TIMEOUT": 1.0,
    "WEBHOOK_LEASE_SECONDS": 8.0,
}


def wait_until(predicate, timeout: float = 20.0, what: str = "condition", every: float = 0.05):
    """Poll predicate until it is true, or fail naming what was awaited."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(every)


def run_once(app) -> None:
    """Deliver everything that is due now, in this thread."""
    from widget_server.webhooks.worker import Worker

    Worker(app).run(once=True)
