"""`flask sites`: create and list the sites that embed the widget."""

from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup

from widget_server.cli.output import CliError, emit, run
from widget_server.clicks.script import current_script
from widget_server.errors import ApiError
from widget_server.models import DEFAULT_MESSAGE
from widget_server.sites import fields
from widget_server.sites.registry import create_site, find_site, list_sites, site_info


def _checked(clean: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Turn a site field's check into an option callback with a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return clean(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None

    return callback


@click.group("sites", cls=AppGroup)
def sites() -> None:
    """Manage the sites that embed the widget."""


@sites.command("create")
@click.option(
    "--name", required=True, callback=_checked(fields.clean_name), help="Shown in listings."
)
@click.option(
    "--whatsapp-number",
    required=True,
    callback=_checked(fields.clean_number),
    help="E.g. 15551234567.",
)
@click.option(
    "--message", default=DEFAULT_MESSAGE, callback=_checked(fields.clean_message), show_default=True
)
@click.option("--reuse-hours", type=click.IntRange(1, 24 * 365), default=12, show_default=True)
@click.option(
    "--whatsapp-base-url",
    default="https://wa.me",
    callback=_checked(fields.clean_base_url),
    show_default=True,
)
@click.option(
    "--click-limit-client",
    callback=_checked(fields.clean_click_limit),
    help="Recorded clicks per visitor address, e.g. '60 per minute' (WIDGET_CLICK_LIMIT_CLIENT).",
)
@click.option(
    "--click-limit-site",
    callback=_checked(fields.clean_click_limit),
    help="Recorded clicks of all visitors, e.g. '6000 per minute' (WIDGET_CLICK_LIMIT_SITE).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the site as one JSON object.")
def create(
    name: str,
    whatsapp_number: str,
    message: str,
    reuse_hours: int,
    whatsapp_base_url: str,
    click_limit_client: str | None,
    click_limit_site: str | None,
    as_json: bool,
) -> None:
    """Create a site and print its public site key."""
    site = run(
        create_site,
        name,
        whatsapp_number,
        message,
        reuse_hours,
        whatsapp_base_url,
        click_limit_client,
        click_limit_site,
    )
    emit(site_info(site), f"Created site {site.name!r}: {site.key}", as_json)


@sites.command("embed")
@click.argument("site_key")
@click.option(
    "--server-url",
    required=True,
    callback=_checked(fields.clean_base_url),
    help="E.g. https://chat.example.com.",
)
@click.option("--json", "as_json", is_flag=True, help="Print both tags as one JSON object.")
def embed(site_key: str, server_url: str, as_json: bool) -> None:
    """Print the site's script tag, and one pinned to this build with Subresource Integrity."""
    site = run(find_site, site_key)
    try:
        script = current_script()
    except ApiError as error:
        raise CliError(error.message) from None
    data = f'data-site="{site.key}"'
    pinned = f'src="{server_url}{script.path}" integrity="{script.integrity}"'
    pinned += ' crossorigin="anonymous"'
    tags = {
        "tag": f'<script async src="{server_url}/widget.js" {data}></script>',
        "pinned_tag": f"<script async {pinned} {data}></script>",
    }
    text = (
        f"{tags['tag']}\npinned to this build (update it after each upgrade):\n{tags['pinned_tag']}"
    )
    emit(tags, text, as_json)


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
