"""The command line under `flask --app widget_server`: every command group."""

from flask import Flask

from widget_server.cli.destination_commands import destinations
from widget_server.cli.key_commands import keys
from widget_server.cli.privacy_commands import privacy
from widget_server.cli.retention_commands import purge
from widget_server.cli.session_commands import sessions
from widget_server.cli.site_commands import sites
from widget_server.cli.user_commands import users
from widget_server.cli.webhook_commands import webhooks


def register(app: Flask) -> None:
    """Attach every command group to app."""
    for command in (sites, keys, users, sessions, purge, webhooks, destinations, privacy):
        app.cli.add_command(command)
