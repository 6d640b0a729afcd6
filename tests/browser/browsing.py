"""Helpers of the browser suite: load a page with the widget, follow the handoff to WhatsApp."""

import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

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
