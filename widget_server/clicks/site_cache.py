"""Sites as the click path needs them, kept in-process so a dead database still redirects."""

import threading
import time
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import quote

from flask import current_app
from limits import RateLimitItem, parse_many
from sqlalchemy import bindparam, select
from sqlalchemy.exc import SQLAlchemyError

from widget_server.db import db
from widget_server.models import REFERENCE, Site

# Built once: the click path is hot, and composing statements costs more than running them.
LOAD = select(
    Site.id,
    Site.key,
    Site.whatsapp_number,
    Site.whatsapp_base_url,
    Site.message_template,
    Site.reuse_hours,
    Site.ip_policy,
    Site.private_params,
    Site.click_limit_client,
    Site.click_limit_site,
).where(Site.key == bindparam("key"))


@dataclass(frozen=True)
class CachedSite:
    """What a click needs to know about its site."""

    id: int
    key: str
    whatsapp_number: str
    whatsapp_base_url: str
    message_template: str
    reuse_hours: int
    ip_policy: str
    private_params: str
    client_limits: tuple[RateLimitItem, ...]
    site_limits: tuple[RateLimitItem, ...]

    @cached_property
    def chat_url(self) -> str:
        """The site's wa.me link, opening the chat with no text."""
        return f"{self.whatsapp_base_url.rstrip('/')}/{self.whatsapp_number}"

    @cached_property
    def quoted_message(self) -> tuple[str, ...]:
        """The message template URL-quoted around its reference placeholders, quoted once."""
        return tuple(quote(part, safe="") for part in self.message_template.split(REFERENCE))


class SiteCache:
    """Sites by key, read again from the database once older than ttl seconds."""

    def __init__(self, ttl: float, client_limit: str, site_limit: str):
        self.ttl = ttl
        self.defaults = (client_limit, site_limit)
        self._sites: dict[str, tuple[float, CachedSite]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedSite | None:
        """Return the site, fresh if the database answers, as last seen if it does not."""
        kept = self._sites.get(key)
        now = time.monotonic()
        if kept is not None and now - kept[0] < self.ttl:
            return kept[1]
        try:
            with db.engine.connect() as connection:
                row = connection.execute(LOAD, {"key": key}).first()
        except SQLAlchemyError:
            if kept is None:
                raise
            # A stale site beats none: its number rarely changes, and the visitor must go on.
            return kept[1]
        with self._lock:
            if row is None:
                self._sites.pop(key, None)  # unknown keys are not kept: anyone can make them up
                return None
            site = CachedSite(
                row.id,
                row.key,
                row.whatsapp_number,
                row.whatsapp_base_url,
                row.message_template,
                row.reuse_hours,
                row.ip_policy,
                row.private_params,
                tuple(parse_many(row.click_limit_client or self.defaults[0])),
                tuple(parse_many(row.click_limit_site or self.defaults[1])),
            )
            self._sites[key] = (now, site)
            return site

    def forget(self) -> None:
        """Drop every kept site, e.g. after an operator changed one."""
        with self._lock:
            self._sites.clear()


def site_cache() -> SiteCache:
    """Return the app's cache, made on first use."""
    cache: SiteCache | None = current_app.extensions.get("wah_site_cache")
    if cache is None:
        config = current_app.config
        cache = current_app.extensions.setdefault(
            "wah_site_cache",
            SiteCache(
                config["SITE_CACHE_SECONDS"],
                config["CLICK_LIMIT_CLIENT"],
                config["CLICK_LIMIT_SITE"],
            ),
        )
    return cache
