"""`flask purge`: the data retention job."""

from datetime import timedelta

import click
from flask.cli import with_appcontext

from widget_server.cli.output import emit, run
from widget_server.sessions.retention import purge_before


@click.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    required=True,
    help="Delete sessions with no click or conversation for this many days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
def purge(older_than_days: int, as_json: bool) -> None:
    """Delete old web sessions and outbox events (data retention)."""
    counts = run(purge_before, timedelta(days=older_than_days))
    emit(counts, f"Deleted {counts['sessions']} sessions, {counts['events']} events.", as_json)
