"""`flask sites`: create and list the sites that embed the widget."""

import re
from urllib.parse import urlsplit

import click
from flask.cli import AppGroup

from widget_server.cli.output import emit, run
from widget_server.models import DEFAULT_MESSAGE
from widget_server.sites.registry import create_site, list_sites, site_info

# E.164 without the plus: a country code never starts with 0, at most 15 digits in all.
NUMBER = re.compile(r"[1-9][0-9]{6,14}")


def _number(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not NUMBER.fullmatch(value):
        raise click.BadParameter(
            "use the international number as digits only, e.g. 15551234567 "
            "(no +, spaces or leading 0; 7 to 15 digits)"
        )
    return value


def _message(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if "{reference}" not in value:
        raise click.BadParameter("must contain {reference}, where the correlation ID goes")
    if len(value) > 1000:
        raise click.BadParameter("must be at most 1000 characters")
    return value


def _base_url(ctx: click.Context, param: click.Parameter, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
        raise click.BadParameter("must be an http(s) URL without a query, e.g. https://wa.me")
    return value.rstrip("/")


def _name(ctx: click.Context, param: click.Parameter, value: str) -> str:
    if not value.strip() or len(value) > 200:
        raise click.BadParameter("must be 1 to 200 characters")
    return value.strip()


@click.group("sites", cls=AppGroup)
def sites() -> None:
    """Manage the sites that embed the widget."""


@sites.command("create")
@click.option("--name", required=True, callback=_name, help="Shown in listings.")
@click.option("--whatsapp-number", required=True, callback=_number, help="E.g. 15551234567.")
@click.option("--message", default=DEFAULT_MESSAGE, callback=_message, show_default=True)
@click.option("--reuse-hours", type=click.IntRange(1, 24 * 365), default=12, show_default=True)
@click.option("--whatsapp-base-url", default="https://wa.me", callback=_base_url, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the site as one JSON object.")
def create(
    name: str,
    whatsapp_number: str,
    message: str,
    reuse_hours: int,
    whatsapp_base_url: str,
    as_json: bool,
) -> None:
    """Create a site and print its public site key."""
    site = run(create_site, name, whatsapp_number, message, reuse_hours, whatsapp_base_url)
    emit(site_info(site), f"Created site {site.name!r}: {site.key}", as_json)


@sites.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(as_json: bool) -> None:
    """List the sites, oldest first."""
    rows = [site_info(site) for site in run(list_sites)]
    lines = [
        f"{row['site_key']}  +{row['whatsapp_number']}  {row['reuse_hours']}h  {row['name']}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "No sites yet.", as_json)
