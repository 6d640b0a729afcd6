"""The served widget.js stays within its size budget and is served exactly as committed."""

import base64
import gzip
import hashlib
from pathlib import Path
from urllib.parse import urlencode

import requests
from browsing import handoff_in_new_tab, open_widget, reference_in

from widget_server.clicks.script import current_script

WIDGET_JS = Path(__file__).parents[2] / "static" / "widget.js"
BUDGET = 2048  # bytes, gzipped


def test_widget_is_at_most_2_kb_gzipped():
    size = len(gzip.compress(WIDGET_JS.read_bytes(), compresslevel=9))
    assert size <= BUDGET, f"widget.js is {size} bytes gzipped, over the {BUDGET}-byte budget"


def test_server_serves_the_file_as_is_to_any_origin(widget):
    response = requests.get(f"{widget.url}/widget.js", timeout=5)
    assert response.status_code == 200
    assert response.content == WIDGET_JS.read_bytes()
    assert response.headers["Content-Type"].startswith("text/javascript")
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_browsers_get_it_gzip_compressed_within_the_budget(widget):
    response = requests.get(
        f"{widget.url}/widget.js", headers={"Accept-Encoding": "gzip, br"}, stream=True, timeout=5
    )
    sent = response.raw.read(decode_content=False)
    assert response.headers["Content-Encoding"] == "gzip"
    assert len(sent) <= BUDGET
    assert gzip.decompress(sent) == WIDGET_JS.read_bytes()


def pinned(widget) -> tuple[str, str]:
    with widget.app.test_request_context():
        script = current_script()
    return widget.url + script.path, script.integrity


def test_a_tag_pinned_with_integrity_loads_and_hands_over(widget, site, page):
    src, integrity = pinned(widget)
    url = site() + "/pinned.html?" + urlencode({"src": src, "integrity": integrity})
    button = open_widget(page, url)
    assert reference_in(handoff_in_new_tab(page, button.click))


def test_a_tag_pinned_to_other_bytes_is_refused_by_the_browser(widget, site, page):
    src, _ = pinned(widget)
    wrong = "sha384-" + base64.b64encode(hashlib.sha384(b"other").digest()).decode()
    errors = []
    page.on("console", lambda message: errors.append(message.text))
    page.goto(site() + "/pinned.html?" + urlencode({"src": src, "integrity": wrong}))
    page.wait_for_function("document.readyState == 'complete'")
    assert page.locator("wa-handoff").count() == 0
    assert any("integrity" in text for text in errors)
