"""`flask --app widget_server destinations ...`: where a site's conversions go."""

from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from widget_server.cli.output import CliError, emit, printable, run
from widget_server.conversions import destinations as manage
from widget_server.conversions import probe
from widget_server.conversions.catalogue import KINDS
from widget_server.conversions.conversion_tables import (
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    SKIPPED,
)

destinations = AppGroup(
    "destinations", help="Send a site's leads and sales to Meta, Google Ads and GA4."
)


@destinations.command("add")
@click.option("--site", required=True, help="Site key.")
@click.option("--kind", required=True, type=click.Choice(list(KINDS)))
@click.option("--dataset-id", help="meta_*: the dataset (pixel) id from Events Manager.")
@click.option("--access-token", help="meta_*: a Conversions API access token.")
@click.option("--waba-id", help="meta_messaging: the WhatsApp Business Account id.")
@click.option("--graph-version", help="meta_*: the Graph API version (v26.0).")
@click.option("--customer-id", help="google_ads: the Google Ads customer id (123-456-7890).")
@click.option("--conversion-action-id", help="google_ads: the conversion action's id.")
@click.option(
    "--credentials-file",
    "credentials",
    type=click.Path(dir_okay=False),
    help="google_ads: a service-account key or an authorized_user JSON file.",
)
@click.option("--token-uri", help="google_ads: the OAuth token endpoint (the file's token_uri).")
@click.option("--measurement-id", help="ga4: the web stream's measurement id (G-...).")
@click.option("--api-secret", help="ga4: a Measurement Protocol API secret of the stream.")
@click.option("--api-base", help="The platform's API address (default: the real one).")
@click.option(
    "--event",
    "events",
    multiple=True,
    metavar="LEAD_TYPE=NAME",
    help="Send this lead type (or `correlated`) as NAME; `LEAD_TYPE=` sends it not. Repeatable.",
)
@click.option(
    "--identifiers/--no-identifiers",
    default=True,
    help="Send cookies, IP and user agent (with the visitor's consent); on by default.",
)
@click.option(
    "--hashed-phone", is_flag=True, help="Also send the visitor's number, SHA-256 hashed."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def add(site: str, kind: str, as_json: bool, **values: Any) -> None:
    """Add a destination; its secrets are stored and never printed."""
    destination = run(manage.add, site, kind, values)
    data = {"destination_id": destination.id, **destination.to_dict()}
    events = ", ".join(f"{k} -> {v}" for k, v in destination.options["events"].items())
    emit(data, f"destination {destination.id} ({kind}) for {site}: {events}", as_json)


@destinations.command("list")
@click.option("--site", help="Only this site's destinations.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(site: str | None, as_json: bool) -> None:
    """List destinations with their status, last success and last error (never secrets)."""
    rows = [d.to_dict() for d in run(manage.list_destinations, site)]
    lines = [
        f"{row['id']}\t{row['site']}\t{row['kind']}\t{row['status']}\t"
        f"last success: {row['last_success_at'] or 'never'}\t{row['last_error'] or ''}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "no destinations", as_json)


@destinations.command("test")
@click.argument("destination_id", type=int)
@click.option("--test-event-code", help="meta_*: the code shown in Events Manager > Test events.")
def test(destination_id: int, test_event_code: str | None) -> None:
    """Send one sample conversion in the platform's test mode and say what it answered."""
    ok, verdict = run(probe.probe, destination_id, current_app.config, test_event_code)
    if not ok:
        raise CliError(f"destination {destination_id} refused the test: {verdict}")
    click.echo(printable(f"destination {destination_id} accepted the test: {verdict}"))


@destinations.command("update")
@click.argument("destination_id", type=int)
@click.option("--access-token", help="meta_*: the new Conversions API access token.")
@click.option(
    "--credentials-file",
    "credentials",
    type=click.Path(dir_okay=False),
    help="google_ads: the new service-account key or authorized_user JSON file.",
)
@click.option("--api-secret", help="ga4: the new Measurement Protocol API secret.")
def update(destination_id: int, **values: str | None) -> None:
    """Replace a refused token or key; conversions waiting for it are retried at once."""
    due = run(manage.replace_secrets, destination_id, values)
    click.echo(f"destination {destination_id} has new credentials; {due} conversions retried now")


@destinations.command("disable")
@click.argument("destination_id", type=int)
def disable(destination_id: int) -> None:
    """Stop sending; pending conversions wait for `enable`."""
    run(manage.disable, destination_id)
    click.echo(f"disabled destination {destination_id}")


@destinations.command("enable")
@click.argument("destination_id", type=int)
def enable(destination_id: int) -> None:
    """Send again, with the conversions that waited."""
    resumed = run(manage.enable, destination_id)
    click.echo(f"enabled destination {destination_id}; {resumed} conversions resumed")


@destinations.command("remove")
@click.argument("destination_id", type=int)
def remove(destination_id: int) -> None:
    """Remove a destination and its conversions."""
    run(manage.remove, destination_id)
    click.echo(f"removed destination {destination_id}")


@destinations.command("conversions")
@click.option("--site", help="Only this site's conversions.")
@click.option("--state", type=click.Choice([PENDING, DELIVERED, FAILED, SKIPPED, DISABLED]))
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def conversions(site: str | None, state: str | None, limit: int, as_json: bool) -> None:
    """Show the newest conversions: state, attempts, last status, error or skip reason."""
    rows = [row.to_dict() for row in run(manage.recent, site, state, limit)]
    lines = [
        f"{row['id']}\t{row['destination_id']}\t{row['correlation_id']}\t{row['trigger']}"
        f"->{row['event_name']}\t{row['state']}\tattempts={row['attempts']}\t"
        f"{row['last_error'] or ''}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "no conversions", as_json)
