"""Destination management: what the `destinations` commands do, as plain functions."""

import json
import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask import current_app

from widget_server.conversions import google_auth
from widget_server.conversions.catalogue import KINDS
from widget_server.conversions.conversion_queue import move, park
from widget_server.conversions.conversion_tables import (
    DISABLED,
    NEW,
    PENDING,
    ConversionDelivery,
    Destination,
)
from widget_server.db import db
from widget_server.errors import OperatorError
from widget_server.models import utcnow
from widget_server.sites.registry import find_site
from widget_server.webhooks.guard import BlockedDestination, validate_url
from widget_server.webhooks.settings import Settings

# Meta refuses any other event name with action_source business_messaging.
MESSAGING_EVENTS = (
    "LeadSubmitted", "QualifiedLead", "Purchase", "InitiateCheckout", "AddToCart", "ViewContent",
    "OrderCreated", "OrderShipped", "OrderDelivered", "OrderCanceled", "OrderReturned",
    "CartAbandoned", "RatingProvided", "ReviewProvided",
)  # fmt: skip
CHECKS = {
    "dataset_id": (re.compile(r"^\d{1,20}$"), "digits"),
    "waba_id": (re.compile(r"^\d{1,20}$"), "digits"),
    "customer_id": (re.compile(r"^\d{10}$"), "10 digits (dashes are dropped)"),
    "conversion_action_id": (re.compile(r"^\d{1,20}$"), "digits"),
    "measurement_id": (re.compile(r"^G-[A-Z0-9]{4,20}$"), "G- and letters or digits"),
    "graph_version": (re.compile(r"^v\d{1,3}\.\d$"), "like v26.0"),
}
EVENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")


class DestinationError(OperatorError):
    """A request the operator must correct, with a one-line reason."""


def get(destination_id: int) -> Destination:
    """Return a destination by id."""
    destination = db.session.get(Destination, destination_id)
    if destination is None:
        raise DestinationError(f"no destination with id {destination_id}")
    return destination


def add(site: str, kind: str, values: dict) -> Destination:
    """Register a destination; values holds its options and secrets, keyed by option name."""
    spec = KINDS.get(kind)
    if spec is None:
        raise DestinationError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
    given = {key: value for key, value in values.items() if value not in (None, "", ())}
    if "customer_id" in given:
        given["customer_id"] = given["customer_id"].replace("-", "")
    for name in spec.options + spec.secrets:
        if name not in given:
            raise DestinationError(f"{kind} needs {_flag(name)}")
    options = {name: given[name] for name in spec.options}
    for name in ("graph_version", "token_uri"):
        if name in given:
            options[name] = given[name]
    for name, value in options.items():
        if name in CHECKS and not CHECKS[name][0].match(str(value)):
            raise DestinationError(f"--{name.replace('_', '-')} must be {CHECKS[name][1]}")
    options["api_base"] = _checked_url(given.get("api_base") or spec.api_base, "--api-base")
    if "token_uri" in options:
        options["token_uri"] = _checked_url(options["token_uri"], "--token-uri")
    options["events"] = _events(kind, spec.events, given.get("events", ()))
    options["identifiers"] = bool(values.get("identifiers", True))
    options["hashed_phone"] = bool(values.get("hashed_phone", False))
    secrets = {name: given[name] for name in spec.secrets}
    if kind == "google_ads":
        secrets["credentials"] = _credentials(given["credentials"], options.get("token_uri"))
    destination = Destination(
        site=find_site(site), kind=kind, options=options, secret=json.dumps(secrets)
    )
    db.session.add(destination)
    db.session.commit()
    return destination


def _checked_url(url: str, flag: str) -> str:
    allow_private = Settings.from_config(current_app.config).allow_private
    try:
        validate_url(url, allow_private)
    except BlockedDestination as error:
        raise DestinationError(f"{flag}: {error}") from None
    return url.rstrip("/")


def _events(kind: str, defaults: dict[str, str], pairs: Iterable[str]) -> dict[str, str]:
    """Merge `TRIGGER=NAME` pairs over the defaults; `TRIGGER=` drops a trigger."""
    events = dict(defaults)
    for pair in pairs:
        trigger, sep, name = pair.partition("=")
        if not sep or not trigger or len(trigger) > 64:
            raise DestinationError(f"--event {pair!r} must be LEAD_TYPE=EVENT_NAME")
        if not name:
            events.pop(trigger, None)
            continue
        if not EVENT_NAME.match(name):
            raise DestinationError(f"--event {pair!r}: the name must be letters, digits and _")
        if kind == "meta_messaging" and name not in MESSAGING_EVENTS:
            raise DestinationError(
                f"--event {pair!r}: Meta refuses {name!r} for business messaging; "
                f"use one of {', '.join(MESSAGING_EVENTS)}"
            )
        events[trigger] = name
    if not events:
        raise DestinationError("no event left to send: keep at least one --event")
    return events


def _credentials(path: str, token_uri: str | None) -> dict:
    try:
        with open(path, encoding="utf-8") as file:
            info = json.load(file)
    except (OSError, ValueError) as error:
        raise DestinationError(f"--credentials-file: {error}") from None
    if not isinstance(info, dict):
        raise DestinationError("--credentials-file must hold a JSON object")
    try:
        google_auth.load(info, token_uri)
    except google_auth.CredentialsError as error:
        raise DestinationError(str(error)) from None
    return info


def replace_secrets(destination_id: int, values: dict) -> int:
    """Replace a destination's token, secret or key file; retry its waiting conversions now.

    Return how many conversions were made due.
    """
    destination = get(destination_id)
    names = KINDS[destination.kind].secrets
    given = {name: values[name] for name in names if values.get(name)}
    unknown = sorted(name for name, value in values.items() if value and name not in names)
    if unknown or not given:
        flags = ", ".join(_flag(name) for name in names)
        raise DestinationError(f"a {destination.kind} destination takes {flags}")
    if "credentials" in given:
        given["credentials"] = _credentials(
            given["credentials"], destination.options.get("token_uri")
        )
    destination.secret = json.dumps({**destination.secrets, **given})
    destination.status = NEW
    due = move(destination.id, PENDING, next_attempt_at=utcnow())
    db.session.commit()
    return due


def _flag(name: str) -> str:
    return "--credentials-file" if name == "credentials" else "--" + name.replace("_", "-")


def list_destinations(site: str | None) -> list[Destination]:
    """Return the destinations, optionally of one site."""
    query = sa.select(Destination).order_by(Destination.id)
    if site is not None:
        query = query.where(Destination.site_id == find_site(site).id)
    return list(db.session.scalars(query))


def disable(destination_id: int) -> None:
    """Stop sending to a destination; its pending conversions wait for enable."""
    destination = get(destination_id)
    destination.disabled_at = utcnow()
    park(destination.id)
    db.session.commit()


def enable(destination_id: int) -> int:
    """Send to a destination again, resuming its parked conversions; return how many."""
    destination = get(destination_id)
    destination.disabled_at = None
    resumed = move(destination.id, DISABLED, state=PENDING, attempts=0, next_attempt_at=utcnow())
    db.session.commit()
    return resumed


def remove(destination_id: int) -> None:
    """Delete a destination together with its conversions."""
    destination = get(destination_id)
    db.session.execute(
        sa.delete(ConversionDelivery).where(ConversionDelivery.destination_id == destination.id)
    )
    db.session.delete(destination)
    db.session.commit()


def recent(site: str | None, state: str | None, limit: int) -> list[ConversionDelivery]:
    """Return the newest conversions, optionally of one site and in one state."""
    query = sa.select(ConversionDelivery).order_by(ConversionDelivery.id.desc()).limit(limit)
    if site is not None:
        query = query.join(Destination).where(Destination.site_id == find_site(site).id)
    if state is not None:
        query = query.where(ConversionDelivery.state == state)
    return list(db.session.scalars(query))
