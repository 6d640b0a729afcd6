"""The visitor's side: the wa.me-like chat page and the send button that posts to the bot."""

import re

from flask import Blueprint, abort, current_app, render_template, request

from examples.wa_standin import cloud_api, envelope, webhook

bp = Blueprint("chat", __name__)
NUMBER = re.compile(r"^\d{5,15}$")


@bp.get("/healthz")
def healthz():
    """Answer 200 while the stand-in runs."""
    return envelope(200, "ok", {"webhook_url": current_app.config["WEBHOOK_URL"]})


@bp.get("/<number>")
def chat_page(number):
    """Show the chat with a business number, the `text` query pre-filled in the composer."""
    if not NUMBER.match(number):
        abort(404, f"{number!r} is not a phone number in international format, digits only")
    config = current_app.config
    visitor = {"wa_id": config["VISITOR_WA_ID"], "name": config["VISITOR_NAME"]}
    return render_template(
        "chat.html", number=number, text=request.args.get("text", ""), visitor=visitor
    )


@bp.get("/api/chat")
def chat_messages():
    """List the messages of the visitor's chat, oldest first."""
    chats = current_app.extensions["chats"]
    return envelope(200, "ok", chats.chat(current_app.config["VISITOR_WA_ID"]))


@bp.post("/api/messages")
def send():
    """Send what the visitor typed or tapped to the bot as a signed Cloud API webhook."""
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        abort(400, "send a JSON object with number and text, or number and reply_id")
    number = body.get("number")
    if not isinstance(number, str) or not NUMBER.match(number):
        abort(400, "number must be the business number, 5 to 15 digits")
    message, content = _visitor_message(body)
    return envelope(201, "sent", deliver(number, message, content))


def _visitor_message(body: dict) -> tuple[dict, dict]:
    wa_id = current_app.config["VISITOR_WA_ID"]
    if "reply_id" not in body:
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > 4096:
            abort(400, "text must be a non-empty string of at most 4096 characters")
        return cloud_api.text_message(wa_id, text), {"type": "text", "text": text}
    asked = current_app.extensions["chats"].find(str(body.get("context_id")))
    choices = (asked or {}).get("choices") or []
    choice = next((c for c in choices if c["id"] == body["reply_id"]), None)
    if choice is None:
        abort(400, "reply_id must be one of the choices of the message context_id names")
    kind = "list_reply" if asked["type"] == "list" else "button_reply"
    message = cloud_api.reply_message(wa_id, kind, choice, asked["id"])
    return message, {"type": "text", "text": choice["title"]}


def deliver(number: str, message: dict, content: dict) -> dict:
    """Record the visitor's message and post it to the bot in the background, as Meta does."""
    config = current_app.config
    visitor = {"wa_id": config["VISITOR_WA_ID"], "name": config["VISITOR_NAME"]}
    payload = cloud_api.inbound_payload(webhook.business(number), visitor, message)
    chats = current_app.extensions["chats"]
    record = chats.add(visitor["wa_id"], "visitor", message["id"], content, "sending")
    webhook.post_in_background([payload], lambda outcome: chats.set_status(record["id"], outcome))
    return record
