"""A stand-in for Meta's Graph API on 127.0.0.1 that records the messages it is sent."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class GraphStub:
    """A stand-in for Meta's Graph API that records message bodies (and can fail on demand)."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.headers: list[dict] = []
        self.failures: list[int] = []  # statuses to answer with before succeeding
        self.lock = threading.Lock()
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with stub.lock:
                    status = stub.failures.pop(0) if stub.failures else 200
                    if status == 200:
                        stub.received.append({"path": self.path, **body})
                        stub.headers.append(dict(self.headers))
                answer = json.dumps({"messages": [{"id": "wamid.out"}]}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v21.0"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sent_to(self, wa_id: str) -> list[dict]:
        """Return the bodies sent to one WhatsApp user so far."""
        with self.lock:
            # A phone number goes in `to`, a business-scoped user id in `recipient`.
            return [b for b in self.received if wa_id in (b.get("to"), b.get("recipient"))]

    def wait_for(self, wa_id: str, count: int = 1, timeout: float = 30) -> list[dict]:
        """Wait until count messages went to wa_id; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.sent_to(wa_id)) >= count:
                return self.sent_to(wa_id)
            time.sleep(0.1)
        pytest.fail(f"no reply to {wa_id} within {timeout} s; got {self.sent_to(wa_id)}")

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
