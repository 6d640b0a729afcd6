"""Command-line interface under `flask --app widget_server`."""

import json
from datetime import timedelta

import click
from flask.cli import with_appcontext


def emit(as_json: bool, data, text: str) -> None:
    """Print data as one JSON document for scripts, or text for people."""
    click.echo(json.dumps(data) if as_json else text)


@click.command("purge")
@click.option(
    "--older-than-days",
    type=click.IntRange(min=1),
    required=True,
    help="Delete sessions with no click or conversation for this many days.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the counts as JSON.")
@with_appcontext
def purge(older_than_days, as_json):
    """Delete old web sessions and outbox events (data retention)."""
    from widget_server.retention import purge_before

    counts = purge_before(timedelta(days=older_than_days))
    emit(as_json, counts, f"Deleted {counts['sessions']} sessions, {counts['events']} events.")


def register(app):
    """Attach the command groups to app."""
    from widget_server.cli_keys import keys
    from widget_server.cli_sites import sites
    from widget_server.webhooks.cli import group as webhooks

    for command in (sites, keys, purge, webhooks):
        app.cli.add_command(command)
