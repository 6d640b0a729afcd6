"""The Rasa input channel for Meta's WhatsApp Cloud API: GET/POST /webhooks/whatsapp/webhook."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import correlation_id
from plugin import prefill, seal
from plugin.client_details import for_tracker
from plugin.server import WidgetServer
from plugin.whatsapp.aliases import make_aliases
from plugin.whatsapp.correlate import Correlator
from plugin.whatsapp.dedupe import make_dedupe
from plugin.whatsapp.graph import GraphClient
from plugin.whatsapp.output import WhatsAppOutput
from plugin.whatsapp.payload import Inbound, ad_referral, parse
from plugin.whatsapp.pending import make_pending
from plugin.whatsapp.settings import Settings
from plugin.whatsapp.signature import is_signed, same_token

logger = logging.getLogger(__name__)


class WhatsAppInput(InputChannel):
    """Receive Cloud API webhooks, link references to web sessions, hand messages to Rasa."""

    @classmethod
    def name(cls) -> str:
        """Name the channel; it is also the URL prefix under /webhooks/."""
        return "whatsapp"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WhatsAppInput:
        """Build the channel from its credentials.yml block, failing loudly on a bad setting."""
        return cls(Settings.from_credentials(credentials))

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        s = settings
        self.graph = GraphClient(s.graph_url, s.phone_number_id, s.access_token)
        self.server = WidgetServer(s.server_url, s.server_api_key, s.server_timeout)
        # Links to make are kept per phone number and widget server: two bots sharing one Redis
        # never take each other's.
        namespace = hashlib.sha256(f"{s.phone_number_id} {s.server_url}".encode()).hexdigest()
        self.correlator = Correlator(self.server, make_pending(s.redis_url, namespace[:16]))
        self.dedupe = make_dedupe(s.redis_url, s.dedupe_ttl)
        self.aliases = make_aliases(s.redis_url)
        self.running: set[asyncio.Task[None]] = set()
        self.sweeper: asyncio.Task[None] | None = None

    def get_output_channel(self, address: str | None = None) -> WhatsAppOutput:
        """Return the output channel that answers through this phone number (to address)."""
        return WhatsAppOutput(self.graph, address=address)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Define the health, verification and webhook routes."""
        whatsapp_webhook = Blueprint("whatsapp_webhook", __name__)

        @whatsapp_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @whatsapp_webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            mode, token = request.args.get("hub.mode"), request.args.get("hub.verify_token")
            if mode != "subscribe" or not same_token(token, self.settings.verify_token):
                return response.text("verification failed", status=403)
            return response.text(request.args.get("hub.challenge", ""))

        @whatsapp_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            header = request.headers.get("X-Hub-Signature-256")
            if not is_signed(request.body, header, self.settings.app_secret):
                return response.text("invalid signature", status=403)
            try:
                payload = json.loads(request.body)
            except RecursionError:
                return response.text("body is nested too deeply", status=400)
            except ValueError:
                return response.text("body is not JSON", status=400)
            messages = parse(payload, self.settings.phone_number_id)
            fresh = [m for m in messages if await self.dedupe.first_time(m.message_id)]
            if fresh:
                task = asyncio.create_task(self.handle(fresh, on_new_message))
                self.running.add(task)
                task.add_done_callback(self.running.discard)
            return response.text("ok")

        @whatsapp_webhook.listener("after_server_start")
        async def sweep(*_: Any) -> None:
            # Links left by a widget-server outage, in this run or (with Redis) an earlier one.
            self.sweeper = asyncio.create_task(self.correlator.sweep_forever())

        @whatsapp_webhook.listener("before_server_stop")
        async def close(*_: Any) -> None:
            if self.sweeper is not None:
                self.sweeper.cancel()
            await self.correlator.pending.close()
            await self.aliases.close()
            await self.graph.close()
            await self.server.close()
            await self.dedupe.close()

        return whatsapp_webhook

    async def handle(
        self, messages: list[Inbound], on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        """Pass the messages of one webhook to Rasa in order; log what fails, never raise."""
        for inbound in messages:
            try:
                if inbound.kind == "system":
                    await self.system(inbound)
                    continue
                await on_new_message(await self.user_message(inbound))
            except Exception:
                # The webhook already answered 200; this task is the last place to report it.
                logger.exception("Failed to handle WhatsApp message %s.", inbound.message_id)

    async def user_message(self, inbound: Inbound) -> UserMessage:
        """Return the message Rasa gets: the text its NLU reads, and the metadata.

        The one place where a WhatsApp message becomes text and metadata. The site's pre-filled
        words around a reference are taken out; a message that was nothing else becomes the
        reference intent, as Rasa's `/intent` shortcut, so no NLU has to read it. A message from
        a click-to-WhatsApp ad without a reference gets the ad's own row as its web session.
        """
        metadata: dict[str, Any] = {"whatsapp": inbound.metadata()}
        text = inbound.text
        sender_id = await self.aliases.sender_id(inbound.sender_id)
        reading = prefill.read(inbound.text, self.settings.reference_templates)
        if reading.reference:
            text = reading.words or f"/{self.settings.reference_intent}"
            # Every reference in the message, in order, until the server knows one.
            candidates = correlation_id.find_all(inbound.text)
            reference, row = await self.correlator.link(inbound, candidates)
            metadata["correlation_id"] = reference or reading.reference
            if row is not None:
                metadata["web_session"] = for_tracker(row, self.settings.share_client_details)
        elif referral := ad_referral(inbound.referral):
            # A chat opened from a click-to-WhatsApp ad: Meta sends the referral on its first
            # message only, and the server makes the ad's row (a new reference) once per message.
            reference, row = await self.correlator.refer(inbound, referral)
            if row is not None and reference:
                metadata["correlation_id"] = reference
                metadata["web_session"] = for_tracker(row, self.settings.share_client_details)
        if "correlation_id" in metadata and self.settings.metadata_key:
            key, message_id = self.settings.metadata_key, inbound.message_id
            metadata[seal.FIELD] = seal.seal(key, sender_id, message_id, metadata)
        return UserMessage(
            text,
            # Replies go to the id Meta uses now, whatever tracker the chat is in.
            self.get_output_channel(address=inbound.sender_id),
            sender_id,
            input_channel=self.name(),
            message_id=inbound.message_id,
            metadata=metadata,
        )

    async def system(self, inbound: Inbound) -> None:
        """Follow a user id or number change so the chat keeps its tracker; the bot is not told."""
        content = inbound.content if isinstance(inbound.content, dict) else {}
        change = content.get("type")
        new = content.get("user_id") if change == "user_changed_user_id" else content.get("wa_id")
        if isinstance(new, str) and new and new != inbound.sender_id:
            await self.aliases.changed(inbound.sender_id, new)
        logger.warning(
            "Not passing on WhatsApp system message %s (%s): %s now writes as %s.",
            inbound.message_id,
            change,
            inbound.sender_id,
            new,
        )
