"""The tables: sites, API keys and web sessions (the attribution rows)."""

import hashlib
import hmac
import secrets
from datetime import UTC, datetime

from sqlalchemy import JSON, Computed, ForeignKey, Index, String, Text, column, func, types
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from widget_server.db import Model
from widget_server.url_sql import landing_cut, netloc_cut

DEFAULT_MESSAGE = (
    "Reference: {reference} (Please send this reference number, it helps us find your request)"
)
SCOPES = (
    "attribution:read",
    "attribution:write",
    "correlations:write",
    "privacy:read",
    "privacy:write",
)
# What a site keeps of the visitor's address: all of it, its network (/24, /48), or nothing.
IP_POLICIES = ("full", "truncated", "none")


def utcnow() -> datetime:
    """Return the current time, timezone-aware UTC."""
    return datetime.now(UTC)


def isoformat(moment: datetime | None) -> str | None:
    """Render a time as ISO 8601 UTC with a `Z`, as the API shows it."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


REFERENCE = "{reference}"  # where a site's message template takes the correlation ID


def render_message(template: str, correlation_id: str) -> str:
    """Put a correlation ID into a site's message template."""
    return template.replace(REFERENCE, correlation_id)


class UTCDateTime(types.TypeDecorator[datetime]):
    """A timestamp stored as naive UTC everywhere and always read back timezone-aware."""

    impl = types.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


class Site(Model):
    """A tenant: one website with its WhatsApp number and message."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    whatsapp_number: Mapped[str] = mapped_column(String(15))
    message_template: Mapped[str] = mapped_column(Text, default=DEFAULT_MESSAGE)
    reuse_hours: Mapped[int] = mapped_column(default=12)
    whatsapp_base_url: Mapped[str] = mapped_column(String(200), default="https://wa.me")
    ip_policy: Mapped[str] = mapped_column(String(9), default="full", server_default="full")
    # Days a session is kept after its last activity; None keeps it until erased or purged.
    retention_days: Mapped[int | None]
    # Space-separated lowercase query parameter names also removed from stored URLs.
    private_params: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Rates such as "60 per minute"; none means the server's CLICK_LIMIT_* setting.
    click_limit_client: Mapped[str | None] = mapped_column(String(100))
    click_limit_site: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @staticmethod
    def new_key() -> str:
        """Draw a public site key."""
        return "s_" + secrets.token_urlsafe(12)

    def message_for(self, correlation_id: str) -> str:
        """Render the pre-filled WhatsApp message for a correlation ID."""
        return render_message(self.message_template, correlation_id)


class ApiKey(Model):
    """A Bearer key of one site: only its hash is kept."""

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    site: Mapped[Site] = relationship()

    @classmethod
    def issue(cls, site: Site, scopes: list[str]) -> tuple["ApiKey", str]:
        """Create a key for site; return the row and the plaintext, which is never stored."""
        prefix = secrets.token_hex(6)
        plaintext = f"wah_{prefix}_{secrets.token_urlsafe(32)}"
        key = cls(site=site, prefix=prefix, digest=_digest(plaintext), scopes=" ".join(scopes))
        return key, plaintext

    @staticmethod
    def prefix_of(plaintext: str) -> str | None:
        """Return the lookup prefix of a presented key, or None if it is not shaped like one."""
        parts = plaintext.split("_", 2)
        return parts[1] if len(parts) == 3 and parts[0] == "wah" else None

    def matches(self, plaintext: str) -> bool:
        """Compare a presented key with the stored hash in constant time."""
        return hmac.compare_digest(self.digest, _digest(plaintext))

    def allows(self, scope: str) -> bool:
        """Tell whether this key carries scope."""
        return scope in self.scopes.split()


def _digest(plaintext: str) -> str:
    # Keys are 256-bit random, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(plaintext.encode()).hexdigest()


def _utm(name: str) -> ColumnElement[str]:
    return func.coalesce(column("parsed_params", JSON)[name].as_string(), "")


def _derived(expression: ColumnElement[str]) -> Mapped[str]:
    # Written by the database with the row, and loaded only when asked for: no query of rows
    # pays for them but the overview's counts.
    return mapped_column(Text, Computed(expression, persisted=True), deferred_group="facets")


class WebSession(Model):
    """One correlation ID: the click that issued it and, later, the conversation it started."""

    __table_args__ = (
        Index("ix_web_session_site_created", "site_id", "created_at", "id"),
        Index("ix_web_session_site_device", "site_id", "device_id", "created_at"),
        # One row per WhatsApp message: a click-to-WhatsApp referral reported twice is one row.
        Index("ix_web_session_site_message", "site_id", "message_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"))
    correlation_id: Mapped[str] = mapped_column(String(9), unique=True)
    device_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_click_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    click_count: Mapped[int] = mapped_column(default=1)
    click_url: Mapped[str | None] = mapped_column(Text)
    referrer: Mapped[str | None] = mapped_column(Text)
    parsed_params: Mapped[dict] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    correlated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The WhatsApp user id: a business-scoped user id (BSUID), or the phone in payloads without one.
    whatsapp_id: Mapped[str | None] = mapped_column(String(135))
    # The phone number when Meta sent it (a username user may never show it).
    whatsapp_phone: Mapped[str | None] = mapped_column(String(32))
    profile_name: Mapped[str | None] = mapped_column(String(200))
    message_id: Mapped[str | None] = mapped_column(String(200))
    lead_type: Mapped[str | None] = mapped_column(String(64))
    # Beyond the row's keys: what webhooks and conversions also learn about the visitor.
    consent: Mapped[str] = mapped_column(String(8), default="unknown", server_default="unknown")
    fbp: Mapped[str | None] = mapped_column(String(255))
    fbc: Mapped[str | None] = mapped_column(String(255))
    ga: Mapped[str | None] = mapped_column(String(255))
    lead_value: Mapped[float | None]
    lead_currency: Mapped[str | None] = mapped_column(String(3))
    # The overview's facets, derived from the columns above so that counting a day's sessions by
    # campaign, landing page or referrer takes no JSON or URL apart per row ('' when absent).
    utm_source: Mapped[str] = _derived(_utm("utm_source"))
    utm_medium: Mapped[str] = _derived(_utm("utm_medium"))
    utm_campaign: Mapped[str] = _derived(_utm("utm_campaign"))
    landing: Mapped[str] = _derived(landing_cut(column("click_url", Text)))
    referrer_netloc: Mapped[str] = _derived(netloc_cut(column("referrer", Text)))

    def to_row(self) -> dict:
        """Render the attribution row exactly as the API shows it."""
        return {
            "correlation_id": self.correlation_id,
            "device_id": self.device_id,
            "created_at": isoformat(self.created_at),
            "correlated_at": isoformat(self.correlated_at),
            "click_url": self.click_url,
            "parsed_params": self.parsed_params or {},
            "ip_address": self.ip_address,
            "user_agent": self.user_agent,
            "lead_type": self.lead_type,
        }

    def event_data(self) -> dict:
        """Render the row with what webhooks and conversions also get: the visitor's ids."""
        browser_ids = {"fbp": self.fbp, "fbc": self.fbc, "ga": self.ga}
        return {
            **self.to_row(),
            "whatsapp_id": self.whatsapp_id,
            "whatsapp_phone": self.whatsapp_phone,
            "profile_name": self.profile_name,
            "message_id": self.message_id,
            "consent": self.consent,
            "browser_ids": {key: value for key, value in browser_ids.items() if value},
        }


# Retyped references are matched case-insensitively; without this a miss scans the site's rows.
Index("ix_web_session_site_lower_cid", WebSession.site_id, func.lower(WebSession.correlation_id))


class CorrelationConflict(Model):
    """A WhatsApp sender refused because another one had already linked the reference."""

    # A session's page lists its refused senders.
    __table_args__ = (Index("ix_correlation_conflict_site_reference", "site_id", "correlation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("site.id"), index=True)
    # The reference, not a foreign key: purge and erasure delete sessions without looking here.
    correlation_id: Mapped[str] = mapped_column(String(9))
    # As long as web_session.whatsapp_id: a business-scoped user id takes up to 135 characters.
    whatsapp_id: Mapped[str] = mapped_column(String(135))
    message_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def to_dict(self) -> dict:
        """Render the conflict for the site owner."""
        return {
            "correlation_id": self.correlation_id,
            "whatsapp_id": self.whatsapp_id,
            "message_id": self.message_id,
            "created_at": isoformat(self.created_at),
        }


class WriteProbe(Model):
    """The one row the readiness check writes, proving the database takes a commit."""

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    written_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PeriodicRun(Model):
    """When a periodic job (such as retention) last started: one row per job, shared by workers."""

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_by: Mapped[str | None] = mapped_column(String(100))
