"""A webhook receiver: verify each request with standardwebhooks, print each event as JSON.

    python examples/webhook_receiver.py --port 8008 --secret whsec_...   (or WEBHOOK_SECRET=...)

Verified events go to stdout, one JSON line each; a repeated `webhook-id` (a retry of something
already handled) is acknowledged and not printed again. Bad signatures get 401. SIGINT or
SIGTERM stops it cleanly.
"""

import argparse
import json
import os
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

MAX_BODY = 1024 * 1024


def make_handler(webhook: Webhook, seen: set[str], lock: threading.Lock):
    """Build the request handler class bound to one secret."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                return self.answer(413, "body too large")
            body = self.rfile.read(length)
            try:
                event = webhook.verify(body, dict(self.headers.items()))
            except (WebhookVerificationError, ValueError) as error:
                print(f"rejected: {error}", file=sys.stderr, flush=True)
                return self.answer(401, "invalid signature")
            with lock:
                fresh = self.headers["webhook-id"] not in seen
                seen.add(self.headers["webhook-id"])
                if fresh:
                    print(json.dumps(event), flush=True)
            return self.answer(200, "ok")

        def answer(self, status: int, text: str) -> None:
            payload = text.encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    return Handler


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8008, help="0 picks a free port")
    parser.add_argument(
        "--secret",
        default=os.environ.get("WEBHOOK_SECRET"),
        help="the endpoint's whsec_ secret (default: $WEBHOOK_SECRET)",
    )
    args = parser.parse_args(argv)
    if not args.secret:
        parser.error("give --secret or set WEBHOOK_SECRET (printed by `webhooks add`)")
    try:
        webhook = Webhook(args.secret)
    except Exception as error:
        parser.error(f"invalid secret: {error}")
    server = ThreadingHTTPServer(
        (args.host, args.port), make_handler(webhook, set(), threading.Lock())
    )
    server.daemon_threads = True

    def stop(*_):
        # shutdown() waits for serve_forever(), which runs in this very thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}/", file=sys.stderr, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
