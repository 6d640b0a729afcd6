"""Post signed Cloud API webhooks to the bot from a background thread, as Meta does."""

import json
import secrets
import threading

import requests
from flask import current_app

from examples.wa_standin import cloud_api


def business(display_number: str | None = None) -> dict:
    """Describe the business account the webhooks come from."""
    config = current_app.config
    return {
        "display_phone_number": display_number or config["DISPLAY_PHONE_NUMBER"],
        "phone_number_id": config["PHONE_NUMBER_ID"],
        "account_id": config["BUSINESS_ACCOUNT_ID"],
    }


def post_in_background(payloads: list[dict], on_done=None) -> None:
    """Post payloads in order; call on_done with "delivered" or "failed: <why>" for the first."""
    config = current_app.config
    raws = [json.dumps(payload).encode() for payload in payloads]
    args = (config["WEBHOOK_URL"], raws, config["APP_SECRET"], on_done)
    threading.Thread(target=_post_all, args=args, daemon=True).start()


def _post_all(url: str, raws: list[bytes], app_secret: str, on_done) -> None:
    for index, raw in enumerate(raws):
        outcome = _post(url, raw, app_secret)
        if index == 0 and on_done:
            on_done(outcome)


def _post(url: str, raw: bytes, app_secret: str) -> str:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": cloud_api.sign(raw, app_secret),
    }
    try:
        response = requests.post(url, data=raw, headers=headers, timeout=60)
    except requests.RequestException as error:
        return f"failed: {type(error).__name__}"
    return "delivered" if response.ok else f"failed: HTTP {response.status_code}"


def verify_subscription(url: str, verify_token: str) -> None:
    """Run Meta's callback verification: GET with hub.* and expect the challenge echoed back."""
    challenge = secrets.token_hex(8)
    params = {"hub.mode": "subscribe", "hub.verify_token": verify_token, "hub.challenge": challenge}
    response = requests.get(url, params=params, timeout=10)
    if response.status_code != 200 or response.text != challenge:
        raise ValueError(
            f"{url} failed the verification handshake (HTTP {response.status_code}): "
            "check its verify_token"
        )
