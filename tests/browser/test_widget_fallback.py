"""A widget server that is down or slow never leaves the visitor stuck: plain wa.me instead."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from browsing import NUMBER, PAGES, handoff_in_new_tab, open_widget, serve_wsgi

from examples.site.serve import SiteServer

WIDGET_JS = Path(__file__).parents[2] / "static" / "widget.js"
HANG_LIMIT = 10  # seconds a held click may wait before the slow server lets it go


class SlowServer(ThreadingHTTPServer):
    """Serves widget.js at once, then holds every click until released."""

    daemon_threads = True

    def __init__(self, answer=b'{"correlation_id": null, "whatsapp_url": "https://wa.me/1"}'):
        super().__init__(("127.0.0.1", 0), SlowHandler)
        self.release = threading.Event()
        self.answer = answer
        self.clicks = 0


class SlowHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path.startswith("/c/"):
            self.server.clicks += 1
            self.server.release.wait(HANG_LIMIT)
            body, kind = self.server.answer, "json"
        else:
            body, kind = WIDGET_JS.read_bytes(), "javascript"
        self.send_response(200)
        self.send_header("Content-Type", f"application/{kind}")
        self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def start(server: SlowServer) -> SlowServer:
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def stop(server: SlowServer) -> None:
    server.release.set()
    server.shutdown()
    server.server_close()


@pytest.fixture
def slow_server():
    server = start(SlowServer())
    yield server
    stop(server)


def test_server_down_falls_back_to_the_configured_number(widget, site, site_key, page):
    doomed = serve_wsgi(widget.app)
    url = site(widget_url=f"http://127.0.0.1:{doomed.server_port}") + "/plain.html"
    button = open_widget(page, url)
    doomed.shutdown()
    doomed.server_close()

    assert handoff_in_new_tab(page, button.click) == f"https://wa.me/{NUMBER}"
    assert widget.count(site_key) == 0


def test_unknown_site_falls_back_to_the_configured_number(widget, page):
    shop = SiteServer(0, widget.url, "s_no_such_site", NUMBER, PAGES).start()
    try:
        button = open_widget(page, shop.url + "/plain.html")
        assert handoff_in_new_tab(page, button.click) == f"https://wa.me/{NUMBER}"
    finally:
        shop.shutdown()
        shop.server_close()


def test_slow_server_falls_back_without_waiting_for_it(site, slow_server, page):
    url = site(widget_url=f"http://127.0.0.1:{slow_server.server_port}") + "/plain.html"
    assert handoff_in_new_tab(page, open_widget(page, url).click) == f"https://wa.me/{NUMBER}"
    assert slow_server.clicks == 1


def test_selector_mode_falls_back_to_the_sites_own_link(widget, site, page):
    doomed = serve_wsgi(widget.app)
    page.goto(site(widget_url=f"http://127.0.0.1:{doomed.server_port}") + "/selector.html")
    page.wait_for_function("typeof waHandoff == 'function'")
    doomed.shutdown()
    doomed.server_close()

    link = page.get_by_role("link", name="Ask about the Cargo bike")
    assert handoff_in_new_tab(page, link.click) == "https://wa.me/15550009999?text=Hello"


@pytest.mark.parametrize("target", ["javascript:alert(1)", "data:text/html,hi", "//evil.example/"])
def test_a_handoff_that_is_not_http_is_refused(site, page, target):
    answer = json.dumps({"correlation_id": "O-aB3dE9z", "whatsapp_url": target}).encode()
    server = start(SlowServer(answer))
    server.release.set()
    try:
        url = site(widget_url=f"http://127.0.0.1:{server.server_port}") + "/plain.html"
        assert handoff_in_new_tab(page, open_widget(page, url).click) == f"https://wa.me/{NUMBER}"
        assert server.clicks == 1
    finally:
        stop(server)
