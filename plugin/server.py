"""Talk to the widget server's integration API over HTTP (used by the channel and the actions)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

import aiohttp

API = "/integrations/external"


class ServerUnavailable(Exception):
    """The widget server did not answer in time, or failed (5xx): try again later."""


class ServerRejected(Exception):
    """The widget server refused the request (4xx other than 404): retrying will not help."""


class WidgetServer:
    """A client of the widget server API with a short timeout and one Bearer key per site.

    A key sees only its own site's sessions, so a reference is asked with each key in turn
    until one site knows it.
    """

    def __init__(self, url: str, api_keys: str | Sequence[str], timeout: float = 2.0) -> None:
        self.url = url.rstrip("/")
        self.api_keys = (api_keys,) if isinstance(api_keys, str) else tuple(api_keys)
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    async def correlate(
        self,
        correlation_id: str,
        whatsapp_id: str,
        message_id: str,
        profile_name: str | None,
        phone: str | None = None,
    ) -> dict[str, Any] | None:
        """Link the web session to the conversation; return its row, or None if unknown.

        whatsapp_id is the user id (the BSUID, or the phone number in payloads without one);
        phone is the phone number when Meta sent it.
        """
        body = {
            "correlation_id": correlation_id,
            "whatsapp_id": whatsapp_id,
            "message_id": message_id,
        }
        if profile_name:
            body["profile_name"] = profile_name
        if phone:
            body["whatsapp_phone"] = phone
        return await self._request("POST", f"{API}/correlations", body)

    async def referral(
        self,
        whatsapp_id: str,
        message_id: str,
        profile_name: str | None,
        referral: dict[str, str],
        phone: str | None = None,
    ) -> dict[str, Any] | None:
        """Record a conversation started from a click-to-WhatsApp ad; return its new row.

        It goes to the site of the first key: an ad names no site, the channel's number does.
        referral holds only ctwa_clid, source_id, source_type and source_url.
        """
        body: dict[str, Any] = {
            "whatsapp_id": whatsapp_id,
            "message_id": message_id,
            "referral": referral,
        }
        if profile_name:
            body["profile_name"] = profile_name
        if phone:
            body["whatsapp_phone"] = phone
        _, data = await self._send(self.api_keys[0], "POST", f"{API}/referrals", body)
        return data

    async def attribution(self, correlation_id: str) -> dict[str, Any] | None:
        """Return the row of one web session, or None if the server does not know it."""
        return await self._request("GET", f"{API}/attribution/{quote(correlation_id)}")

    async def set_lead_type(
        self,
        correlation_id: str,
        lead_type: str,
        value: float | None = None,
        currency: str | None = None,
    ) -> dict[str, Any] | None:
        """Record the lead type the bot chose, with a sale's value and currency when both are given.

        Return the updated row, or None if unknown.
        """
        path = f"{API}/attribution/{quote(correlation_id)}"
        body: dict[str, Any] = {"lead_type": lead_type}
        if value is not None and currency is not None:
            body.update(value=value, currency=currency)
        return await self._request("PATCH", path, body)

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _request(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> dict[str, Any] | None:
        """Send the request with each key until one site knows it; None when none does."""
        for api_key in self.api_keys:
            known, data = await self._send(api_key, method, path, body)
            if known:
                return data
        return None

    async def _send(
        self, api_key: str, method: str, path: str, body: dict[str, Any] | None
    ) -> tuple[bool, dict[str, Any] | None]:
        """Send one request; return (False, None) on 404, else (True, the envelope's data)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
        try:
            async with self._session.request(
                method, self.url + path, json=body, headers=headers
            ) as response:
                if response.status == 404:
                    return False, None
                if response.status >= 500:
                    raise ServerUnavailable(f"{method} {path}: HTTP {response.status}")
                envelope = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise ServerUnavailable(f"{method} {path}: {exc!r}") from exc
        if response.status >= 400:
            message = envelope.get("message") if isinstance(envelope, dict) else envelope
            raise ServerRejected(f"{method} {path}: HTTP {response.status}: {message}")
        return True, envelope.get("data") if isinstance(envelope, dict) else None
