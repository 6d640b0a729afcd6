"""`flask privacy`: erase or export everything held about a person, as the API does."""

import json
from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup

from widget_server.cli.output import emit, run
from widget_server.privacy import erasure, export
from widget_server.privacy.identities import identity
from widget_server.sites.registry import find_site


@click.group("privacy", cls=AppGroup)
def privacy() -> None:
    """Erase or export a person's data on request."""


def _person(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add the options naming a site and one person in it."""
    options = [
        click.option("--site", "site_key", required=True, help="The site key."),
        click.option("--correlation-id", help="One session, e.g. O-aB3dE9z."),
        click.option("--device-id", help="Every session of the widget's device id."),
        click.option("--whatsapp-id", help="Every session linked to this WhatsApp id."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _identity(
    correlation_id: str | None, device_id: str | None, whatsapp_id: str | None
) -> tuple[str, str]:
    given = {"correlation_id": correlation_id, "device_id": device_id, "whatsapp_id": whatsapp_id}
    return run(identity, given)


@privacy.command("erase")
@_person
@click.option("--json", "as_json", is_flag=True, help="Print the erased IDs as JSON.")
def erase(
    site_key: str,
    correlation_id: str | None,
    device_id: str | None,
    whatsapp_id: str | None,
    as_json: bool,
) -> None:
    """Erase the sessions and redact every webhook about them; `session.erased` is sent."""
    identity, value = _identity(correlation_id, device_id, whatsapp_id)
    site = run(find_site, site_key)
    erased = erasure.erase(site.id, identity, value)
    text = f"Erased {len(erased)} sessions" + (f": {', '.join(erased)}" if erased else ".")
    emit({"erased": erased}, text, as_json)


@privacy.command("export")
@_person
def export_(
    site_key: str, correlation_id: str | None, device_id: str | None, whatsapp_id: str | None
) -> None:
    """Print everything held about the person as one JSON object."""
    identity, value = _identity(correlation_id, device_id, whatsapp_id)
    site = run(find_site, site_key)
    click.echo(json.dumps(export.export(site.id, identity, value), indent=2))
