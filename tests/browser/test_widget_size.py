"""The served widget.js stays within its size budget and is served exactly as committed."""

import gzip
from pathlib import Path

import requests

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
