"""`flask sessions`: what the site owner should know about a site's sessions."""

import re
from datetime import UTC, datetime
from typing import Any

import click
from flask.cli import AppGroup

import correlation_id
from widget_server.cli.output import emit, run
from widget_server.sessions import conflicts as refused
from widget_server.sites.registry import find_site

sessions = AppGroup("sessions", help="Look into a site's web sessions.")


class Moment(click.ParamType):
    """A time with its zone (ISO 8601), or a day, which starts at 00:00 UTC."""

    name = "TIME|DAY"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            moment = None
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) and moment is not None:
            return moment.replace(tzinfo=UTC)
        if moment is None or moment.tzinfo is None:
            self.fail(f"{value!r} is neither a day (2026-12-01) nor a time with a zone "
                      "(2026-12-01T09:30:00Z)", param, ctx)  # fmt: skip
        try:
            return moment.astimezone(UTC)
        except OverflowError:
            self.fail(f"{value!r} is out of range", param, ctx)


def _reference(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not correlation_id.is_valid(value):
        raise click.BadParameter(f"{value!r} is not O- followed by 7 letters or digits")
    return value


@sessions.command("conflicts")
@click.option("--site", "site_key", required=True, help="The site key.")
@click.option("--since", type=Moment(), help="Only those refused at or after this time or day.")
@click.option(
    "--correlation-id", callback=_reference, help="Only those of one session, e.g. O-aB3dE9z."
)
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def conflicts(
    site_key: str, since: datetime | None, correlation_id: str | None, limit: int, as_json: bool
) -> None:
    """Show the newest WhatsApp senders refused a session another sender had linked."""
    site = run(find_site, site_key)
    rows = [row.to_dict() for row in refused.recent(site.id, limit, since, correlation_id)]
    lines = [
        f"{row['created_at']}\t{row['correlation_id']}\t{row['whatsapp_id']}\t{row['message_id']}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "no refused senders", as_json)
