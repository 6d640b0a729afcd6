"""Helpers of the browser suite: load a page with the widget, follow the handoff to WhatsApp."""

import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import trustme
from werkzeug.serving import make_server

import correlation_id

PAGES = Path(__file__).parent / "pages"
NUMBER = "15551234567"
WHATSAPP_PAGE = "<!doctype html><title>WhatsApp</title><p>WhatsApp stand-in</p>"
LABEL = "Chat on WhatsApp"
PHONE = {
    "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Mobile Safari/537.36",
    "viewport": {"width": 412, "height": 915},
    "is_mobile": True,
    "has_touch": True,
}


def open_widget(page, url: str):
    """Load a page and wait until the widget's button is there."""
    page.goto(url)
    button = page.get_by_role("button", name=LABEL)
    button.wait_for()
    return button


def handoff_in_new_tab(page, act) -> str:
    """Run act (a click or key press), expect WhatsApp in a new tab, return its URL."""
    with page.context.expect_page() as opened:
        act()
    tab = opened.value
    tab.wait_for_url("https://wa.me/**")
    return tab.url


def reference_in(whatsapp_url: str) -> str | None:
    """Return the correlation ID in a wa.me link's pre-filled text."""
    text = parse_qs(urlsplit(whatsapp_url).query).get("text", [""])[0]
    return correlation_id.find(text)


def serve_wsgi(app):
    """Serve a WSGI app from a thread on a free loopback port; return the server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class WhatsAppHandler(BaseHTTPRequestHandler):
    """Answer any GET with the stand-in page."""

    def do_GET(self):
        body = WHATSAPP_PAGE.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def serve_whatsapp() -> ThreadingHTTPServer:
    """Serve a wa.me stand-in over TLS on a free loopback port, with a certificate for wa.me."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), WhatsAppHandler)
    server.daemon_threads = True
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    trustme.CA().issue_cert("wa.me").configure_cert(context)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def resolver_rules(whatsapp_port: int) -> list[str]:
    """Chromium flags keeping every name on this machine: wa.me is the stand-in, *.test is here."""
    rules = [
        f"MAP wa.me 127.0.0.1:{whatsapp_port}",
        "MAP *.test 127.0.0.1",
        "MAP * ~NOTFOUND",
        "EXCLUDE 127.0.0.1",
        "EXCLUDE localhost",
    ]
    # The stand-in's certificate comes from a throwaway CA that only this browser accepts.
    return ["--host-resolver-rules=" + ", ".join(rules), "--ignore-certificate-errors"]
