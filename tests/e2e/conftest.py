"""Fixtures for the end-to-end suite: real servers on 127.0.0.1 and Debian's headless Chromium."""

import os
import threading

import pytest
from werkzeug.serving import make_server

from examples.demo.walkthrough import CHROMIUM, launch


@pytest.fixture
def serve():
    """Return a function that serves a WSGI app on a free port and gives back its base URL."""
    servers = []

    def start(app) -> str:
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Launch headless Chromium once per run; fail with the fix when it is missing."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"{CHROMIUM} is missing: run `apt-get install chromium` (or `make setup-browser`)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("Playwright is missing: run `.venv/bin/pip install -e '.[test]'`")
    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """Open a fresh browser context and page."""
    context = browser.new_context()
    yield context.new_page()
    context.close()
