"""Facts, options and a served ad-platform stand-in for the conversion tests."""

import threading
from datetime import UTC, datetime, timedelta

import requests
from werkzeug.serving import make_server

from examples.ads_standin import DEFAULTS, create_app
from widget_server.conversions.facts import Facts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CLICK = {
    "correlation_id": "O-aB3dE9z",
    "created_at": "2026-03-01T10:00:00.000Z",
    "click_url": "https://shop.example/?gclid=TeSt123&fbclid=FbClId&utm_source=google",
    "parsed_params": {"gclid": "TeSt123", "fbclid": "FbClId", "utm_source": "google"},
    "ip_address": "203.0.113.7",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
    "consent": "granted",
    "browser_ids": {"fbp": "fb.1.1700000000000.123456789", "ga": "GA1.1.1234567890.1700000000"},
    "whatsapp_id": "14155552671",
    "lead_type": "won",
    "value": 120.0,
    "currency": "EUR",
}
CTWA = {
    "correlation_id": "O-Ctwa123",
    "created_at": "2026-03-01T10:00:00.000Z",
    "click_url": "https://fb.me/ad-source",
    "parsed_params": {"ctwa_clid": "ARAkLkA8rmlFeiCktEJQ", "source_type": "ad", "source_id": "12"},
    "ip_address": None,
    "user_agent": None,
    "consent": "unknown",
    "browser_ids": {},
    "whatsapp_id": "14155552671",
}
OPTIONS = {
    "meta_messaging": {"dataset_id": "1234567890", "waba_id": "200000000000002"},
    "meta_web": {"dataset_id": "1234567890"},
    "google_ads": {"customer_id": "1234567890", "conversion_action_id": "987654321"},
    "ga4": {"measurement_id": "G-STANDIN01"},
}
SECRETS = {
    "meta_messaging": {"access_token": DEFAULTS["META_ACCESS_TOKEN"]},
    "meta_web": {"access_token": DEFAULTS["META_ACCESS_TOKEN"]},
    "ga4": {"api_secret": DEFAULTS["GA4_API_SECRET"]},
}


def facts(data: dict = CLICK, trigger: str = "won", when: datetime = NOW, **changes) -> Facts:
    """Build the facts of a conversion from a payload, with some keys changed."""
    return Facts.from_event({**data, **changes}, trigger, when)


def options(kind: str, api_base: str = "https://example.invalid", **changes) -> dict:
    return {"api_base": api_base, "identifiers": True, **OPTIONS[kind], **changes}


def authorized_user(base: str) -> dict:
    """Return an authorized_user credentials file whose refresh token the stand-in accepts."""
    return {
        "type": "authorized_user",
        "client_id": DEFAULTS["GOOGLE_CLIENT_ID"],
        "client_secret": DEFAULTS["GOOGLE_CLIENT_SECRET"],
        "refresh_token": DEFAULTS["GOOGLE_REFRESH_TOKEN"],
        "token_uri": f"{base}/token",
    }


class Standin:
    """The ad-platform stand-in served on a free loopback port."""

    def __init__(self):
        self.server = make_server("127.0.0.1", 0, create_app(), threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, platform: str) -> list[dict]:
        response = requests.get(f"{self.url}/_received", params={"platform": platform}, timeout=5)
        return response.json()

    def fail_next(self, platform: str, *statuses: int) -> None:
        requests.post(
            f"{self.url}/_faults", json={"platform": platform, "statuses": statuses}, timeout=5
        )

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def recent(days: float = 0) -> str:
    """Render a click time `days` ago as the payloads do."""
    moment = datetime.now(UTC) - timedelta(days=days)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def add_destination(app, site_key: str, kind: str, base: str, **values) -> int:
    """Register a destination of kind pointing at the stand-in; return its id."""
    from widget_server.conversions import destinations

    given = {**OPTIONS[kind], **SECRETS.get(kind, {}), "api_base": base, **values}
    with app.app_context():
        return destinations.add(site_key, kind, given).id


def conversions(app) -> list:
    """Return every conversion row, oldest first, detached from the session."""
    import sqlalchemy as sa

    from widget_server.conversions.conversion_tables import ConversionDelivery
    from widget_server.db import db

    with app.app_context():
        rows = db.session.scalars(
            sa.select(ConversionDelivery).order_by(ConversionDelivery.id)
        ).all()
        db.session.expunge_all()
        return rows


def destination(app, destination_id: int):
    from widget_server.conversions.conversion_tables import Destination
    from widget_server.db import db

    with app.app_context():
        row = db.session.get(Destination, destination_id)
        db.session.expunge_all()
        return row
