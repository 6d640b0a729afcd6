"""`flask --app widget_server webhooks ...`: endpoints, the worker, deliveries."""

import json
import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from widget_server.webhooks import endpoints
from widget_server.webhooks.models import DELIVERED, DISABLED, EVENT_TYPES, FAILED, PENDING
from widget_server.webhooks.worker import Worker

group = AppGroup("webhooks", help="Manage webhook endpoints and deliver their events.")


class CliError(click.ClickException):
    """A one-line error that exits with status 2, like a usage error."""

    exit_code = 2


def run(function, *args):
    """Call an endpoints function, turning its complaints into a CliError."""
    try:
        return function(*args)
    except endpoints.EndpointError as error:
        raise CliError(str(error)) from None


def emit(data, as_json: bool, text: str) -> None:
    click.echo(json.dumps(data) if as_json else text)


@group.command("add")
@click.option("--site", required=True, help="Site key.")
@click.option("--url", required=True, help="Receiver URL (http or https).")
@click.option(
    "--event",
    "events",
    multiple=True,
    help=f"One of {', '.join(EVENT_TYPES)}; repeat for several; all events when omitted.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def add(site, url, events, as_json):
    """Add an endpoint and print its signing secret, shown only this once."""
    endpoint, secret = run(endpoints.add, site, url, list(events))
    data = {**endpoint.to_dict(), "secret": secret}
    emit(
        data,
        as_json,
        f"endpoint {endpoint.id} -> {endpoint.url} "
        f"({', '.join(data['events'])})\nsigning secret (shown once): {secret}",
    )


@group.command("list")
@click.option("--site", help="Only this site's endpoints.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(site, as_json):
    """List endpoints (never their secrets)."""
    rows = [endpoint.to_dict() for endpoint in run(endpoints.list_endpoints, site)]
    lines = [
        f"{row['id']}\t{row['site']}\t{row['url']}\t{','.join(row['events'])}\t"
        + (f"disabled: {row['disabled_reason']}" if row["disabled_at"] else "enabled")
        for row in rows
    ]
    emit(rows, as_json, "\n".join(lines) or "no endpoints")


@group.command("remove")
@click.argument("endpoint_id", type=int)
def remove(endpoint_id):
    """Remove an endpoint and its deliveries."""
    run(endpoints.remove, endpoint_id)
    click.echo(f"removed endpoint {endpoint_id}")


@group.command("rotate-secret")
@click.argument("endpoint_id", type=int)
@click.option("--overlap-hours", type=float, help="How long the old secret still signs (24).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def rotate_secret(endpoint_id, overlap_hours, as_json):
    """Draw a new secret; both sign every webhook until the overlap ends."""
    endpoint, secret = run(endpoints.rotate_secret, endpoint_id, overlap_hours)
    data = {**endpoint.to_dict(), "secret": secret}
    emit(
        data,
        as_json,
        f"new signing secret (shown once): {secret}\n"
        f"the previous secret also signs until {data['previous_secret_until']}",
    )


@group.command("enable")
@click.argument("endpoint_id", type=int)
def enable(endpoint_id):
    """Re-enable a disabled endpoint and resume its parked deliveries."""
    resumed = run(endpoints.enable, endpoint_id)
    click.echo(f"enabled endpoint {endpoint_id}; {resumed} deliveries resumed")


@group.command("deliveries")
@click.option("--site", help="Only this site's deliveries.")
@click.option("--state", type=click.Choice([PENDING, DELIVERED, FAILED, DISABLED]))
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def deliveries(site, state, limit, as_json):
    """Show the newest deliveries with their state and last error."""
    rows = [delivery.to_dict() for delivery in run(endpoints.recent_deliveries, site, state, limit)]
    lines = [
        f"{row['id']}\t{row['event_type']}\t{row['event_id']}\t{row['url']}\t{row['state']}\t"
        f"attempts={row['attempts']}\tstatus={row['last_status']}\t{row['last_error'] or ''}"
        for row in rows
    ]
    emit(rows, as_json, "\n".join(lines) or "no deliveries")


@group.command("redeliver")
@click.argument("delivery_id", type=int)
def redeliver(delivery_id):
    """Send a delivery again, keeping its webhook-id."""
    delivery = run(endpoints.redeliver, delivery_id)
    click.echo(f"delivery {delivery.id} queued again")


@group.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option("-v", "--verbose", is_flag=True, help="Log every delivery, not only failures.")
def worker(once, verbose):
    """Deliver webhooks until SIGINT or SIGTERM; run several on PostgreSQL to scale out."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        loop = Worker(current_app._get_current_object())
    except ValueError as error:
        raise CliError(str(error)) from None
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: loop.stop())
    if not once:
        click.echo(f"webhook worker {loop.name} started", err=True)
    loop.run(once=once)
