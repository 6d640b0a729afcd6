"""The `make run` demo page shows the real widget, in view, and it hands over."""

import os
import shutil

import pytest
from browsing import LABEL, handoff_in_new_tab, reference_in, serve_wsgi

from examples import dev_server as demo
from widget_server import create_app
from widget_server.db import db

# UPDATE_SCREENSHOT=docs/widget-demo.png refreshes the README's picture from this test.
UPDATE_SCREENSHOT = os.environ.get("UPDATE_SCREENSHOT")
TOPMOST = "([x, y]) => { const e = document.elementFromPoint(x, y); return e && e.tagName }"


@pytest.fixture
def demo_url(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db"})
    app.register_blueprint(demo.bp)
    with app.app_context():
        db.create_all()
        demo.ensure_site()
    server = serve_wsgi(app)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_demo_page_shows_the_button_in_view(demo_url, new_context, tmp_path):
    page = new_context(viewport={"width": 1000, "height": 640}).new_page()
    page.goto(demo_url + "/")
    button = page.get_by_role("button", name=LABEL)
    button.wait_for()
    shot = tmp_path / "widget-demo.png"
    page.screenshot(path=shot)
    if UPDATE_SCREENSHOT:
        shutil.copy(shot, UPDATE_SCREENSHOT)

    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 1000
    assert box["y"] >= 0 and box["y"] + box["height"] <= 640
    center = [box["x"] + box["width"] / 2, box["y"] + box["height"] / 2]
    # The shadow host is what the page sees on top at the button's centre: nothing covers it.
    assert page.evaluate(TOPMOST, center) == "WA-HANDOFF"
    assert button.evaluate("(b, [x, y]) => b.contains(b.parentNode.elementFromPoint(x, y))", center)

    whatsapp = handoff_in_new_tab(page, button.click)
    assert whatsapp.startswith(f"https://wa.me/{demo.NUMBER}?text=")
    assert reference_in(whatsapp)
