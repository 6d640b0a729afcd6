"""Serving the embeddable script: compressed, under its alias and under its pinned URL."""

import base64
import gzip
import hashlib

from widget_server.clicks.script import WIDGET_JS, current_script


def test_serves_the_repository_script(client):
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.mimetype == "text/javascript"
    with open(WIDGET_JS, "rb") as script:
        assert response.data == script.read()
    assert "max-age=300" in response.headers["Cache-Control"]
    assert response.headers["ETag"]


def test_revalidation_answers_304(client):
    etag = client.get("/widget.js").headers["ETag"]
    assert client.get("/widget.js", headers={"If-None-Match": etag}).status_code == 304


def test_configured_path_is_served(app, client, tmp_path):
    script = tmp_path / "w.js"
    script.write_text("/* configured */")
    app.config["WIDGET_JS_PATH"] = str(script)
    assert client.get("/widget.js").data == b"/* configured */"


def test_missing_script_is_a_404_envelope(app, client, tmp_path):
    app.config["WIDGET_JS_PATH"] = str(tmp_path / "absent.js")
    response = client.get("/widget.js")
    assert response.status_code == 404
    assert response.json == {
        "status": 404,
        "message": "widget.js is not built into this server",
        "data": None,
    }


def test_browsers_get_it_gzip_compressed(client):
    response = client.get("/widget.js", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    with open(WIDGET_JS, "rb") as script:
        assert gzip.decompress(response.data) == script.read()
    assert len(response.data) <= 2048


def test_the_pinned_url_is_immutable_and_its_integrity_matches(app, client):
    with app.test_request_context():
        script = current_script()
    response = client.get(script.path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "immutable" in response.headers["Cache-Control"]
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    body = gzip.decompress(response.data)
    assert script.integrity == "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    assert "immutable" not in client.get("/widget.js").headers["Cache-Control"]


def test_another_version_is_a_404_envelope(client):
    response = client.get("/widget.0123456789abcdef.js")
    assert response.status_code == 404
    assert response.json["message"] == "this server holds another version of widget.js"


def test_a_rebuilt_script_gets_a_new_version(app, client, tmp_path):
    script = tmp_path / "w.js"
    script.write_text("/* one */")
    app.config["WIDGET_JS_PATH"] = str(script)
    with app.test_request_context():
        first = current_script().path
    script.write_text("/* two, longer */")
    with app.test_request_context():
        second = current_script().path
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).data == b"/* two, longer */"
