"""examples/site/serve.py fills in the script tag and serves the site's pages, nothing else."""

import http.client

import pytest

from examples.site.serve import ROOT, SiteServer


@pytest.fixture
def shop():
    server = SiteServer(0, "http://127.0.0.1:5000/", "s_key", "15550100123", ROOT).start()
    yield server
    server.shutdown()
    server.server_close()


def get(server, path):
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=5)
    connection.request("GET", path)
    response = connection.getresponse()
    return response.status, response.getheaders(), response.read().decode()


def test_pages_carry_the_filled_in_script_tag(shop):
    for path in ("/", "/index.html?utm_source=x", "/pricing.html"):
        status, headers, body = get(shop, path)
        assert status == 200
        assert '<script async src="http://127.0.0.1:5000/widget.js" data-site="s_key"' in body
        assert 'data-number="15550100123"' in body
        assert "{{" not in body
        assert ("Content-Type", "text/html") in headers


@pytest.mark.parametrize("path", ["/serve.py", "/__init__.py", "/../README.md", "/nope.html"])
def test_anything_else_is_not_found(shop, path):
    assert get(shop, path)[0] == 404


def test_a_policy_is_sent_only_for_its_page():
    server = SiteServer(0, "http://w", "k", csp={"index.html": "script-src {{WIDGET_URL}}"}).start()
    try:
        assert ("Content-Security-Policy", "script-src http://w") in get(server, "/index.html")[1]
        assert "Content-Security-Policy" not in dict(get(server, "/pricing.html")[1])
    finally:
        server.shutdown()
        server.server_close()
