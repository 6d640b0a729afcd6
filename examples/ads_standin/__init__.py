"""Local stand-ins for the ad platforms' conversion APIs: Meta, Google Data Manager, GA4.

Each endpoint refuses a request missing a field its platform requires, with an error shaped like
the platform's, and records what it accepted; `GET /_received` lists it for tests and the demo.
Nothing leaves 127.0.0.1.
"""

import json
import secrets
import threading

from flask import Flask, jsonify, request

DEFAULTS = {
    "META_ACCESS_TOKEN": "standin-meta-token",
    "GA4_API_SECRET": "standin-ga4-secret",
    "GOOGLE_CLIENT_ID": "standin-client.apps.googleusercontent.com",
    "GOOGLE_CLIENT_SECRET": "standin-client-secret",
    "GOOGLE_REFRESH_TOKEN": "standin-refresh-token",
}


class Journal:
    """What each platform accepted, and the faults queued for its next requests."""

    def __init__(self, echo: bool = False):
        self.echo = echo  # print each accepted conversion as a JSON line (the demo shows them)
        self.lock = threading.Lock()
        self.entries: list[dict] = []
        self.faults: dict[str, list[int]] = {}
        self.tokens: set[str] = set()

    def record(self, platform: str, body, **extra) -> None:
        entry = {"platform": platform, "body": body, **extra}
        with self.lock:
            self.entries.append(entry)
        if self.echo and platform in ("meta", "google", "ga4"):
            print(json.dumps(entry, separators=(",", ":")), flush=True)

    def fault(self, platform: str) -> int | None:
        """Pop the next status queued for platform, if any."""
        with self.lock:
            queued = self.faults.get(platform) or []
            return queued.pop(0) if queued else None


def journal() -> Journal:
    from flask import current_app

    return current_app.extensions["ads_journal"]


def create_app(config: dict | None = None) -> Flask:
    """Create the stand-ins with DEFAULTS overridden by config."""
    app = Flask(__name__)
    app.config.from_mapping(DEFAULTS)
    app.config.from_mapping(config or {})
    app.extensions["ads_journal"] = Journal(echo=bool(app.config.get("PRINT")))

    from examples.ads_standin import ga4, google, meta

    for module in (meta, google, ga4):
        app.register_blueprint(module.bp)

    @app.get("/_received")
    def received():
        """List what was accepted, oldest first; `?platform=meta|google|ga4` narrows it."""
        platform = request.args.get("platform")
        with journal().lock:
            entries = [e for e in journal().entries if platform in (None, e["platform"])]
        return jsonify(entries)

    @app.post("/_faults")
    def faults():
        """Queue statuses to answer instead: `{"platform": "google", "statuses": [500]}`."""
        payload = request.get_json(force=True)
        with journal().lock:
            journal().faults.setdefault(payload["platform"], []).extend(payload["statuses"])
        return jsonify({"queued": payload["statuses"]})

    @app.post("/_tokens/revoke")
    def revoke():
        """Forget every Google access token issued so far, as an expiry would."""
        with journal().lock:
            journal().tokens.clear()
        return jsonify({"revoked": True})

    app.config.setdefault("SECRET_KEY", secrets.token_hex(16))
    return app
