"""What a conversion knows about its session, read from the event that caused it."""

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime

import phonenumbers

GA_COOKIE = re.compile(r"^(?:GA\d\.\d+\.)?(\d+\.\d+)$")
SAFE_TRIGGER = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class Facts:
    """One conversion: which session, what happened when, and what may identify the visitor."""

    correlation_id: str
    trigger: str
    event_time: datetime
    clicked_at: datetime
    click_url: str | None
    params: dict
    consent: str
    browser_ids: dict
    ip_address: str | None
    user_agent: str | None
    whatsapp_id: str | None
    value: float | None
    currency: str | None

    @classmethod
    def from_event(cls, data: dict, trigger: str, event_time: datetime) -> "Facts":
        """Read the facts from a `conversation.correlated` or `lead.updated` payload."""
        return cls(
            correlation_id=data["correlation_id"],
            trigger=trigger,
            event_time=event_time,
            clicked_at=datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")),
            click_url=data.get("click_url"),
            params=data.get("parsed_params") or {},
            consent=data.get("consent") or "unknown",
            browser_ids=data.get("browser_ids") or {},
            ip_address=data.get("ip_address"),
            user_agent=data.get("user_agent"),
            # The phone beside a business-scoped user id, when Meta sent it.
            whatsapp_id=data.get("whatsapp_phone") or data.get("whatsapp_id"),
            value=data.get("value") if trigger != "correlated" else None,
            currency=data.get("currency") if trigger != "correlated" else None,
        )

    @property
    def event_id(self) -> str:
        """The stable id of this conversion: Meta's event_id, Google's transactionId."""
        trigger = self.trigger
        if not SAFE_TRIGGER.match(trigger):
            trigger = hashlib.sha256(trigger.encode()).hexdigest()[:16]
        return f"{self.correlation_id}.{trigger}"

    @property
    def consented(self) -> bool:
        """Tell whether identifiers may go out: only a visitor who said no is withheld."""
        return self.consent != "denied"


def e164(whatsapp_id: str | None) -> str | None:
    """Return a WhatsApp id as an E.164 number (`+15551234567`), or None if it is not one."""
    if not whatsapp_id or not whatsapp_id.isdigit():
        return None  # a username user's business-scoped id carries no phone number
    try:
        number = phonenumbers.parse("+" + whatsapp_id)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def ga_client_id(cookie: str | None) -> str | None:
    """Return GA4's client id from a `_ga` cookie value (`GA1.1.123.456` -> `123.456`)."""
    match = GA_COOKIE.match(cookie or "")
    return match.group(1) if match else None


def fbc(facts: Facts) -> str | None:
    """Return the `_fbc` value: the cookie, else one built from the click's fbclid."""
    kept: str | None = facts.browser_ids.get("fbc")
    if kept:
        return kept
    fbclid = facts.params.get("fbclid")
    if not fbclid:
        return None
    return f"fb.1.{int(facts.clicked_at.timestamp() * 1000)}.{fbclid}"
