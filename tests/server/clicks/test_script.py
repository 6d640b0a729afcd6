"""Serving the embeddable script."""

from widget_server.clicks.script import WIDGET_JS


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
