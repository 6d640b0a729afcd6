"""What every destination kind provides: its defaults, its options and how it builds a request."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from widget_server.conversions.facts import Facts


@dataclass
class Request:
    """One HTTP POST to a platform; `redacted` is the URL with secrets removed, for logs."""

    url: str
    body: dict
    redacted: str
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    """A conversion the platform would not take, with the reason; it is never retried."""

    reason: str


@dataclass(frozen=True)
class Kind:
    """A destination kind: its platform's address, defaults, options and request builder."""

    name: str
    api_base: str
    events: dict[str, str]
    options: tuple[str, ...]
    secrets: tuple[str, ...]
    build: Callable[[dict, dict, Facts, str, datetime], Request | Skip]


def allowed(options: dict, facts: Facts) -> bool:
    """Tell whether personal identifiers may go out: the visitor's consent, the owner's choice."""
    return facts.consented and options.get("identifiers", True)
