"""The overview with a month of demo data: readable at 360 px and on a desktop; the README's
picture comes from here (UPDATE_DASHBOARD_SCREENSHOT=docs/dashboard.png refreshes it)."""

import os
import shutil
from datetime import timedelta

import pytest
import sqlalchemy as sa
from browsing import serve_wsgi

from widget_server import create_app
from widget_server.dashboard.accounts import create_user
from widget_server.db import db
from widget_server.models import Site, WebSession, utcnow

UPDATE_SCREENSHOT = os.environ.get("UPDATE_DASHBOARD_SCREENSHOT")
PASSWORD = "a demo owner's password"
CAMPAIGNS = [("google", "cpc", "spring-sale"), ("facebook", "paid_social", "spring-sale"),
             ("newsletter", "email", "april-news"), ("instagram", "social", "reels"),
             ("", "", "")]  # fmt: skip
PAGES = ["https://shop.example/", "https://shop.example/pricing", "https://shop.example/shoes"]


def demo_sessions(site_id: int) -> list[dict]:
    """A month of clicks: more on weekdays, campaigns converting at different rates."""
    now, rows, n = utcnow(), [], 0
    for day in range(30):
        for k in range(18 + (day * 7) % 23):
            n += 1
            source, medium, campaign = CAMPAIGNS[(n * 3 + day) % len(CAMPAIGNS)]
            created = now - timedelta(days=day, minutes=37 * k + 5)
            talked = n % (3 if source == "google" else 5) == 0
            rows.append({
                "site_id": site_id, "correlation_id": f"O-D{n:06d}", "device_id": f"d{n % 700}",
                "created_at": created, "last_click_at": created, "click_count": 1 + n % 4 // 3,
                "click_url": PAGES[n % 3] + (f"?utm_source={source}" if source else ""),
                "referrer": "https://www.google.com/" if source == "google" else None,
                "parsed_params": {"utm_source": source, "utm_medium": medium,
                                  "utm_campaign": campaign} if source else {},
                "correlated_at": created + timedelta(minutes=2) if talked else None,
                "lead_type": ("won" if n % 4 == 0 else "qualified") if talked and n % 2 == 0
                else None,
                "lead_value": 120.0 if talked and n % 4 == 0 else None,
            })  # fmt: skip
    return rows


@pytest.fixture
def overview_url(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/d.db",
                      "DASHBOARD_COOKIE_SECURE": False})  # fmt: skip
    with app.app_context():
        db.create_all()
        site = Site(key=Site.new_key(), name="Demo shop", whatsapp_number="15550100123")
        db.session.add(site)
        db.session.commit()
        db.session.execute(sa.insert(WebSession), demo_sessions(site.id))
        db.session.commit()
        create_user("demo@example.com", False, [site.key], PASSWORD)
        key = site.key
    server = serve_wsgi(app)
    yield f"http://127.0.0.1:{server.server_port}", key
    server.shutdown()
    server.server_close()


def sign_in(page, base):
    page.goto(base + "/dashboard/login")
    page.get_by_label("E-mail").fill("demo@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/sites/**")


def test_the_overview_reads_on_a_desktop(overview_url, new_context, tmp_path):
    base, key = overview_url
    page = new_context(viewport={"width": 1200, "height": 1400}).new_page()
    sign_in(page, base)
    page.goto(f"{base}/dashboard/sites/{key}/?range=30d")
    assert int(page.locator('[data-step="clicks"]').inner_text().replace(",", "")) > 500
    assert page.locator("rect.bar-clicks").count() == 30
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=shot, full_page=True)
    if UPDATE_SCREENSHOT:
        shutil.copy(shot, UPDATE_SCREENSHOT)


@pytest.mark.parametrize("path", ["/?range=30d", "/sessions", "/settings", "/keys", "/webhooks"])
def test_every_page_fits_a_360_pixel_screen(overview_url, new_context, path):
    base, key = overview_url
    page = new_context(viewport={"width": 360, "height": 780}, is_mobile=True).new_page()
    sign_in(page, base)
    page.goto(f"{base}/dashboard/sites/{key}{path}")
    # Wide tables scroll inside their own region; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 16
