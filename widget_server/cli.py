"""Command-line interface under `flask --app widget_server`."""


def register(app):
    """Attach the command groups to app."""
