"""`flask webhooks`: endpoints, the worker, deliveries."""

import logging
import signal

import click
from flask import current_app
from flask.cli import AppGroup

from widget_server.cli.output import CliError, emit, run
from widget_server.sessions.retention import RETENTION
from widget_server.webhooks import endpoints
from widget_server.webhooks.tables import (
    DELIVERED,
    DISABLED,
    ERASED,
    EVENT_TYPES,
    FAILED,
    PENDING,
)
from widget_server.webhooks.worker import Worker

webhooks = AppGroup("webhooks", help="Manage webhook endpoints and deliver their events.")


@webhooks.command("add")
@click.option("--site", required=True, help="Site key.")
@click.option("--url", required=True, help="Receiver URL (http or https).")
@click.option(
    "--event",
    "events",
    multiple=True,
    help=f"One of {', '.join(EVENT_TYPES)}; repeat for several; all events when omitted.",
)
@click.option(
    "--throttle-rate",
    type=click.IntRange(1, 100_000),
    help="Send at most this many deliveries a second to it (unthrottled when omitted).",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def add(
    site: str, url: str, events: tuple[str, ...], throttle_rate: int | None, as_json: bool
) -> None:
    """Add an endpoint and print its signing secret, shown only this once."""
    endpoint, secret = run(endpoints.add, site, url, list(events), throttle_rate)
    data = {**endpoint.to_dict(), "secret": secret}
    text = (
        f"endpoint {endpoint.id} -> {endpoint.url} "
        f"({', '.join(data['events'])})\nsigning secret (shown once): {secret}"
    )
    emit(data, text, as_json)


@webhooks.command("list")
@click.option("--site", help="Only this site's endpoints.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(site: str | None, as_json: bool) -> None:
    """List endpoints (never their secrets)."""
    rows = [endpoint.to_dict() for endpoint in run(endpoints.list_endpoints, site)]
    lines = [
        f"{row['id']}\t{row['site']}\t{row['url']}\t{','.join(row['events'])}\t"
        + (f"disabled: {row['disabled_reason']}" if row["disabled_at"] else "enabled")
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "no endpoints", as_json)


@webhooks.command("remove")
@click.argument("endpoint_id", type=int)
def remove(endpoint_id: int) -> None:
    """Remove an endpoint and its deliveries."""
    run(endpoints.remove, endpoint_id)
    click.echo(f"removed endpoint {endpoint_id}")


@webhooks.command("rotate-secret")
@click.argument("endpoint_id", type=int)
@click.option("--overlap-hours", type=float, help="How long the old secret still signs (24).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def rotate_secret(endpoint_id: int, overlap_hours: float | None, as_json: bool) -> None:
    """Draw a new secret; both sign every webhook until the overlap ends."""
    endpoint, secret = run(endpoints.rotate_secret, endpoint_id, overlap_hours)
    data = {**endpoint.to_dict(), "secret": secret}
    text = (
        f"new signing secret (shown once): {secret}\n"
        f"the previous secret also signs until {data['previous_secret_until']}"
    )
    emit(data, text, as_json)


@webhooks.command("enable")
@click.argument("endpoint_id", type=int)
def enable(endpoint_id: int) -> None:
    """Re-enable a disabled endpoint and resume its parked deliveries."""
    resumed = run(endpoints.enable, endpoint_id)
    click.echo(f"enabled endpoint {endpoint_id}; {resumed} deliveries resumed")


@webhooks.command("deliveries")
@click.option("--site", help="Only this site's deliveries.")
@click.option("--state", type=click.Choice([PENDING, DELIVERED, FAILED, DISABLED, ERASED]))
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def deliveries(site: str | None, state: str | None, limit: int, as_json: bool) -> None:
    """Show the newest deliveries with their state and last error."""
    rows = [delivery.to_dict() for delivery in run(endpoints.recent_deliveries, site, state, limit)]
    lines = [
        f"{row['id']}\t{row['event_type']}\t{row['event_id']}\t{row['url']}\t{row['state']}\t"
        f"attempts={row['attempts']}\tstatus={row['last_status']}\t{row['last_error'] or ''}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "no deliveries", as_json)


@webhooks.command("redeliver")
@click.argument("delivery_id", type=int)
def redeliver(delivery_id: int) -> None:
    """Send a delivery again, keeping its webhook-id."""
    delivery = run(endpoints.redeliver, delivery_id)
    click.echo(f"delivery {delivery.id} queued again")


@webhooks.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due, then exit.")
@click.option("-v", "--verbose", is_flag=True, help="Log every delivery, not only failures.")
def worker(once: bool, verbose: bool) -> None:
    """Deliver webhooks until SIGINT or SIGTERM; run several on PostgreSQL to scale out.

    Once a day one of the workers also applies each site's retention.
    """
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        loop = Worker(current_app._get_current_object(), periodic=(RETENTION,))  # type: ignore[attr-defined]
    except ValueError as error:
        raise CliError(str(error)) from None
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: loop.stop())
    if not once:
        click.echo(f"webhook worker {loop.name} started", err=True)
    loop.run(once=once)
