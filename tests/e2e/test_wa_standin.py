"""The WhatsApp stand-in: signed Cloud API webhooks out, Graph API messages in, one chat page."""

import hashlib
import hmac
import json
import queue
import time

import pytest
import requests
from flask import Flask, request

from examples.wa_standin import create_app
from examples.wa_standin.webhook import verify_subscription

SECRET = "s3cret-app"
TOKEN = "graph-token"
AUTH = {"Authorization": "Bearer graph-token"}
PHONE_ID = "123456789012345"
VISITOR = "15550009999"


def verifying_bot(secret: str, received: queue.Queue) -> Flask:
    """Build a webhook endpoint that checks the signature the way Meta documents it."""
    bot = Flask("bot")

    @bot.post("/webhooks/whatsapp/webhook")
    def webhook():
        raw = request.get_data()
        expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
        presented = request.headers.get("X-Hub-Signature-256", "")
        if not hmac.compare_digest(expected, presented):
            return {"error": "bad signature"}, 403
        received.put(json.loads(raw))
        return {"ok": True}

    @bot.get("/webhooks/whatsapp/webhook")
    def verify():
        args = request.args
        if args.get("hub.mode") == "subscribe" and args.get("hub.verify_token") == "tok":
            return args.get("hub.challenge", "")
        return "verification failed", 403

    return bot


@pytest.fixture
def standin(serve):
    """Serve a bot that verifies signatures and a stand-in posting to it; return both URLs."""
    received = queue.Queue()
    bot_url = serve(verifying_bot(SECRET, received))
    config = {
        "APP_SECRET": SECRET,
        "ACCESS_TOKEN": TOKEN,
        "PHONE_NUMBER_ID": PHONE_ID,
        "VISITOR_WA_ID": VISITOR,
        "WEBHOOK_URL": bot_url + "/webhooks/whatsapp/webhook",
    }
    return serve(create_app(config)), received


def next_value(received: queue.Queue, kind: str) -> dict:
    """Return the change value of the next webhook carrying kind (messages or statuses)."""
    while True:
        value = received.get(timeout=10)["entry"][0]["changes"][0]["value"]
        if kind in value:
            return value


def chat(url: str) -> list[dict]:
    return requests.get(url + "/api/chat", timeout=5).json()["data"]


def wait_for_status(url: str, message_id: str) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = next(m["status"] for m in chat(url) if m["id"] == message_id)
        if status != "sending":
            return status
        time.sleep(0.05)
    raise AssertionError(f"message {message_id} still sending after 10 s")


def test_sent_text_arrives_signed_in_meta_format(standin):
    url, received = standin
    body = {"number": "15551234567", "text": "Reference: O-aB3dE9z (hi)"}
    answer = requests.post(url + "/api/messages", json=body, timeout=5)
    assert answer.status_code == 201
    payload = received.get(timeout=10)
    assert payload["object"] == "whatsapp_business_account"
    value = payload["entry"][0]["changes"][0]["value"]
    assert payload["entry"][0]["changes"][0]["field"] == "messages"
    assert value["messaging_product"] == "whatsapp"
    assert value["metadata"] == {"display_phone_number": "15551234567", "phone_number_id": PHONE_ID}
    assert value["contacts"] == [{"profile": {"name": "Alex Visitor"}, "wa_id": VISITOR}]
    (message,) = value["messages"]
    assert message["from"] == VISITOR and message["type"] == "text"
    assert message["text"] == {"body": "Reference: O-aB3dE9z (hi)"}
    assert message["id"].startswith("wamid.") and message["id"] == answer.json()["data"]["id"]
    assert abs(int(message["timestamp"]) - time.time()) < 60
    assert wait_for_status(url, message["id"]) == "delivered"


def test_a_wrong_app_secret_shows_as_failed_delivery(serve):
    received = queue.Queue()
    bot_url = serve(verifying_bot("the-real-secret", received))
    url = serve(
        create_app({"APP_SECRET": "wrong", "WEBHOOK_URL": bot_url + "/webhooks/whatsapp/webhook"})
    )
    sent = requests.post(
        url + "/api/messages", json={"number": "15551234567", "text": "hi"}, timeout=5
    )
    assert wait_for_status(url, sent.json()["data"]["id"]) == "failed: HTTP 403"
    assert received.empty()


def test_graph_api_answers_like_meta_shows_the_reply_and_reports_statuses(standin):
    url, received = standin
    body = {
        "messaging_product": "whatsapp",
        "to": VISITOR,
        "type": "text",
        "text": {"body": "Hello!"},
    }
    answer = requests.post(
        f"{url}/v19.0/{PHONE_ID}/messages",
        json=body,
        headers=AUTH,
        timeout=5,
    )
    assert answer.status_code == 200
    data = answer.json()
    assert data["messaging_product"] == "whatsapp"
    assert data["contacts"] == [{"input": VISITOR, "wa_id": VISITOR}]
    (sent,) = data["messages"]
    assert sent["id"].startswith("wamid.")
    (shown,) = chat(url)
    assert (shown["id"], shown["sender"], shown["text"]) == (sent["id"], "business", "Hello!")
    for expected in ("sent", "delivered"):
        value = received.get(timeout=10)["entry"][0]["changes"][0]["value"]
        assert value["metadata"]["phone_number_id"] == PHONE_ID and "messages" not in value
        (status,) = value["statuses"]
        assert (status["id"], status["status"], status["recipient_id"]) == (
            sent["id"],
            expected,
            VISITOR,
        )


@pytest.mark.parametrize(
    ("headers", "path", "body", "status", "code"),
    [
        ({}, f"v19.0/{PHONE_ID}", {"messaging_product": "whatsapp"}, 401, 190),
        ({"Authorization": "Bearer nope"}, f"v19.0/{PHONE_ID}", {}, 401, 190),
        (
            AUTH,
            "v19.0/999",
            {"messaging_product": "whatsapp"},
            400,
            100,
        ),
        (AUTH, f"v19.0/{PHONE_ID}", {"to": VISITOR}, 400, 100),
        (
            AUTH,
            f"v19.0/{PHONE_ID}",
            {"messaging_product": "whatsapp", "to": VISITOR, "type": "text", "text": {}},
            400,
            131009,
        ),
    ],
)
def test_graph_api_rejects_like_meta(standin, headers, path, body, status, code):
    url, _ = standin
    answer = requests.post(f"{url}/{path}/messages", json=body, headers=headers, timeout=5)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code
    assert chat(url) == []


def test_bad_sends_get_the_envelope(standin):
    url, received = standin
    for body, fragment in [
        ([], "JSON object"),
        ({"number": "12", "text": "hi"}, "number must be"),
        ({"number": "15551234567", "text": "  "}, "text must be"),
        ({"number": "15551234567", "reply_id": "yes", "context_id": "wamid.nope"}, "reply_id must"),
    ]:
        answer = requests.post(url + "/api/messages", json=body, timeout=5)
        assert answer.status_code == 400
        assert fragment in answer.json()["message"] and answer.json()["data"] is None
    assert requests.get(url + "/not-a-number", timeout=5).json()["status"] == 404
    assert chat(url) == [] and received.empty()


def test_chat_page_sends_the_prefilled_message_and_taps_buttons(standin, page):
    url, received = standin
    page.goto(url + "/15551234567?text=Reference%3A%20O-aB3dE9z")
    assert page.input_value("#composer") == "Reference: O-aB3dE9z"
    page.click("#send")
    first = next_value(received, "messages")["messages"][0]
    assert first["text"]["body"] == "Reference: O-aB3dE9z"
    page.wait_for_selector(".msg.visitor >> text=✓✓")

    buttons = {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": VISITOR,
        "type": "interactive",
        "interactive": {
            "type": "button",
            "body": {"text": "Shall we talk about the launch?"},
            "action": {
                "buttons": [
                    {"type": "reply", "reply": {"id": "/affirm", "title": "Yes please"}},
                    {"type": "reply", "reply": {"id": "/deny", "title": "No thanks"}},
                ]
            },
        },
    }
    sent = requests.post(f"{url}/v19.0/{PHONE_ID}/messages", json=buttons, headers=AUTH, timeout=5)
    asked_id = sent.json()["messages"][0]["id"]
    page.wait_for_selector(".msg.business >> text=Shall we talk about the launch?")
    page.click(".msg.business button >> text=Yes please")
    reply = next_value(received, "messages")["messages"][0]
    assert reply["type"] == "interactive" and reply["context"] == {"from": VISITOR, "id": asked_id}
    assert reply["interactive"] == {
        "type": "button_reply",
        "button_reply": {"id": "/affirm", "title": "Yes please"},
    }
    page.wait_for_selector(".msg.visitor >> text=Yes please")


def test_a_tapped_list_row_goes_back_as_a_list_reply(standin):
    url, received = standin
    rows = [{"id": "bike_cargo", "title": "Cargo", "description": "EUR 2,490"}]
    rows.append({"id": "bike_folding", "title": "Folding"})
    body = {
        "messaging_product": "whatsapp",
        "to": "+" + VISITOR,
        "type": "interactive",
        "interactive": {
            "type": "list",
            "body": {"text": "Which bike?"},
            "action": {"button": "Choose", "sections": [{"title": "Bikes", "rows": rows}]},
        },
    }
    sent = requests.post(f"{url}/v19.0/{PHONE_ID}/messages", json=body, headers=AUTH, timeout=5)
    asked_id = sent.json()["messages"][0]["id"]
    (shown,) = chat(url)
    assert (shown["type"], shown["button"]) == ("list", "Choose")
    assert [c["title"] for c in shown["choices"]] == ["Cargo", "Folding"]

    for row in rows:
        tap = {"number": "15551234567", "reply_id": row["id"], "context_id": asked_id}
        assert requests.post(url + "/api/messages", json=tap, timeout=5).status_code == 201
        reply = next_value(received, "messages")["messages"][0]
        assert reply["context"]["id"] == asked_id
        assert reply["interactive"] == {"type": "list_reply", "list_reply": row}
        assert chat(url)[-1]["text"] == row["title"]


def test_the_subscription_handshake_checks_the_verify_token(serve):
    url = serve(verifying_bot(SECRET, queue.Queue())) + "/webhooks/whatsapp/webhook"
    verify_subscription(url, "tok")
    with pytest.raises(ValueError, match=r"failed the verification handshake \(HTTP 403\)"):
        verify_subscription(url, "wrong")
