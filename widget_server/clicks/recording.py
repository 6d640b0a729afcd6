"""The click path: issue or reuse a correlation ID and hand the visitor over to WhatsApp."""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from sqlalchemy.exc import SQLAlchemyError

import correlation_id
from widget_server.clicks.cleaning import trim_url
from widget_server.clicks.click_limits import over_limit
from widget_server.clicks.click_sql import BROWSER_IDS, Outbox, click_writer
from widget_server.clicks.site_cache import CachedSite, site_cache
from widget_server.db import db, reason
from widget_server.errors import ApiError
from widget_server.metrics import count_click
from widget_server.models import isoformat, utcnow
from widget_server.privacy.ip_policy import apply_ip_policy
from widget_server.webhooks.tables import WebhookEvent

log = logging.getLogger("widget_server.clicks")

# Seven characters of 62 give 3.5e12 IDs: a second collision in a row means something else broke.
ATTEMPTS = 5


@dataclass(frozen=True)
class Click:
    """What the widget's request says about one click, already cleaned."""

    device_id: str | None = None
    click_url: str | None = None
    referrer: str | None = None
    params: dict[str, str] = field(default_factory=dict)  # read from the page URL before trimming
    user_agent: str | None = None
    ip_address: str | None = None
    preview: bool = False
    consent: str = "unknown"
    fbp: str | None = None
    fbc: str | None = None
    ga: str | None = None

    def browser_ids(self) -> dict:
        """Return the first-party cookie values the click carried."""
        ids = {"fbp": self.fbp, "fbc": self.fbc, "ga": self.ga}
        return {name: value for name, value in ids.items() if value}


@dataclass(frozen=True)
class Handoff:
    """Where the visitor goes next, and under which reference."""

    correlation_id: str | None
    whatsapp_url: str


def record_click(site_key: str, click: Click) -> Handoff:
    """Issue or reuse the device's correlation ID, enqueue `widget.click`, return the handoff."""
    site = known_site(site_key)
    # Before anything is written or logged: the row and the webhook only see what is kept.
    kept = apply_ip_policy(site.ip_policy, click.ip_address)
    if kept != click.ip_address:
        click = replace(click, ip_address=kept)
    if site.private_params:
        click = _without(click, site.private_params.split())
    if click.preview:
        count_click("preview")
        return Handoff(None, whatsapp_url(site, None))
    if over_limit(site, click.ip_address):
        # Still to WhatsApp, only unrecorded: a flood fills neither the tables nor the outbox.
        count_click("limited")
        return Handoff(None, whatsapp_url(site, None))
    try:
        reference, outcome = _write(site, click)
    except Exception as error:  # whatever broke, the visitor must reach WhatsApp
        # Nothing is half-written: the transaction rolled back. The chat opens without a reference.
        count_click("failed_over")
        if isinstance(error, (SQLAlchemyError, db.engine.dialect.loaded_dbapi.Error)):
            log.warning(
                "click on %s not recorded, sent on without a reference: %s", site.key, reason(error)
            )
        else:
            log.exception("click on %s not recorded, sent on without a reference", site.key)
        return Handoff(None, whatsapp_url(site, None))
    count_click(outcome)
    return Handoff(reference, whatsapp_url(site, reference))


def _without(click: Click, names: list[str]) -> Click:
    """Drop the site's own private parameters from the click's URLs, already trimmed of the rest."""
    url, ref = click.click_url, click.referrer
    return replace(
        click,
        click_url=trim_url(url, names) if url else url,
        referrer=trim_url(ref, names) if ref else ref,
    )


def known_site(site_key: str) -> CachedSite:
    """Return the site of a click link, or raise the 404 (or, unknown and no database, a 503)."""
    try:
        site = site_cache().get(site_key)
    except SQLAlchemyError as error:
        log.warning(
            "site %s unknown while the database is unavailable: %s", site_key, reason(error)
        )
        raise ApiError(503, "database unavailable and this site is not known yet") from None
    if site is None:
        raise ApiError(404, "unknown site")
    return site


def _write(site: CachedSite, click: Click) -> tuple[str, str]:
    now = utcnow()
    since = now - timedelta(hours=site.reuse_hours)
    browser = _browser(click)
    uid = WebhookEvent.new_uid()
    for _ in range(ATTEMPTS):
        # Everything is built first: on SQLite every other click waits for this turn, and on
        # PostgreSQL for the device's lock, so the count sees every session committed before
        # it and the reuse decision cannot race. Inside, only what the count finds is filled in.
        reference = correlation_id.new_id()
        row = _session_row(site.id, reference, click, browser, now)
        data = _event(reference, click, 1, now, now)
        with click_writer(db.engine) as writer:  # commits all together
            found = None
            if click.device_id is not None:
                found = writer.count(site.id, click.device_id, since, browser, now)
            if found is not None:
                data.update(
                    correlation_id=found.correlation_id,
                    click_count=found.click_count,
                    created_at=isoformat(found.created_at),
                )
                writer.add_event(Outbox(uid, site.id, data, now))
                return found.correlation_id, "reused"
            if writer.issue(row, Outbox(uid, site.id, data, now)):
                return reference, "stored"
    raise RuntimeError(f"no free correlation ID after {ATTEMPTS} draws")


def whatsapp_url(site: CachedSite, reference: str | None) -> str:
    """Build the wa.me link; without a reference it opens the chat with no pre-filled text."""
    if reference is None:
        return site.chat_url
    # Quoting works character by character, so the template's quoted parts join as its whole.
    return f"{site.chat_url}?text={quote(reference, safe='').join(site.quoted_message)}"


def _browser(click: Click) -> dict[str, Any]:
    return {"consent": click.consent, **{name: getattr(click, name) for name in BROWSER_IDS}}


def _session_row(
    site_id: int, reference: str, click: Click, browser: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "site_id": site_id,
        "correlation_id": reference,
        "device_id": click.device_id,
        "created_at": now,
        "last_click_at": now,
        "click_count": 1,
        "click_url": click.click_url,
        "referrer": click.referrer,
        "parsed_params": click.params,
        "ip_address": click.ip_address,
        "user_agent": click.user_agent,
        **browser,
    }


def _event(
    reference: str, click: Click, click_count: int, created_at: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "correlation_id": reference,
        "device_id": click.device_id,
        "click_url": click.click_url,
        "parsed_params": click.params,
        "user_agent": click.user_agent,
        "ip_address": click.ip_address,
        "referrer": click.referrer,
        "click_count": click_count,
        "created_at": isoformat(created_at),
        "clicked_at": isoformat(now),
        "consent": click.consent,
        "browser_ids": click.browser_ids(),
    }
