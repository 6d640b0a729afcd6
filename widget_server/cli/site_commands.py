"""`flask sites`: create, update and list the sites that embed the widget."""

import re
from collections.abc import Callable
from typing import Any

import click
from flask.cli import AppGroup

from widget_server.cli.output import CliError, emit, run
from widget_server.clicks.script import current_script
from widget_server.errors import ApiError
from widget_server.models import DEFAULT_MESSAGE, IP_POLICIES
from widget_server.sites import fields
from widget_server.sites.registry import create_site, find_site, list_sites, site_info, update_site


def _checked(clean: Callable[[Any], Any]) -> Callable[[click.Context, click.Parameter, Any], Any]:
    """Turn a site field's check into an option callback with a usage error."""

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        try:
            return clean(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None

    return callback


def _unless_omitted(clean: Callable[[Any], Any]) -> Callable:
    """Check an option of `update` only when it is given."""
    check = _checked(clean)

    def callback(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
        return None if value is None else check(ctx, param, value)

    return callback


class Retention(click.ParamType):
    """Days to keep a session after its last activity, or `none` to keep it."""

    name = "DAYS|none"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value is None or isinstance(value, int) or value == "none":
            return value
        if not re.fullmatch(r"[0-9]{1,6}", value):
            self.fail(f"{value!r} is not a whole number of days, nor none", param, ctx)
        return int(value)


def _privacy_options(command: Callable) -> Callable:
    """Add the options create and update share: IP policy, retention, private parameters."""
    options = [
        click.option(
            "--ip-policy",
            type=click.Choice(IP_POLICIES),
            help="Keep the visitor's IP in full, truncated (IPv4 /24, IPv6 /48) or none at all.",
        ),
        click.option(
            "--retention-days",
            type=Retention(),
            help="Delete sessions this many days after their last activity; none keeps them.",
        ),
        click.option(
            "--private-params",
            help="More query parameters to remove from stored URLs, comma-separated.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _given(**options: Any) -> dict[str, Any]:
    """Return the options given, by site field name; `--retention-days none` becomes None."""
    given = {name: value for name, value in options.items() if value is not None}
    if given.get("retention_days") == "none":
        given["retention_days"] = None
    return given


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
@_privacy_options
@click.option("--json", "as_json", is_flag=True, help="Print the site as one JSON object.")
def create(
    name: str,
    whatsapp_number: str,
    message: str,
    reuse_hours: int,
    whatsapp_base_url: str,
    click_limit_client: str | None,
    click_limit_site: str | None,
    ip_policy: str | None,
    retention_days: Any,
    private_params: str | None,
    as_json: bool,
) -> None:
    """Create a site and print its public site key."""
    privacy = _given(
        ip_policy=ip_policy, retention_days=retention_days, private_params=private_params
    )
    site = run(
        lambda: create_site(
            name,
            whatsapp_number,
            message,
            reuse_hours,
            whatsapp_base_url,
            click_limit_client,
            click_limit_site,
            **privacy,
        )
    )
    emit(site_info(site), f"Created site {site.name!r}: {site.key}", as_json)


@sites.command("update")
@click.argument("site_key")
@click.option("--name", callback=_unless_omitted(fields.clean_name))
@click.option("--whatsapp-number", callback=_unless_omitted(fields.clean_number))
@click.option("--message", callback=_unless_omitted(fields.clean_message))
@click.option("--reuse-hours", type=click.IntRange(1, 24 * 365))
@click.option("--whatsapp-base-url", callback=_unless_omitted(fields.clean_base_url))
@click.option(
    "--click-limit-client",
    callback=_unless_omitted(fields.clean_click_limit),
    help="Recorded clicks per visitor address, e.g. '60 per minute' (WIDGET_CLICK_LIMIT_CLIENT).",
)
@click.option(
    "--click-limit-site",
    callback=_unless_omitted(fields.clean_click_limit),
    help="Recorded clicks of all visitors, e.g. '6000 per minute' (WIDGET_CLICK_LIMIT_SITE).",
)
@_privacy_options
@click.option("--json", "as_json", is_flag=True, help="Print the site as one JSON object.")
def update(site_key: str, as_json: bool, **options: Any) -> None:
    """Change the settings given; the others stay as they are."""
    changes = _given(**options)
    if not changes:
        raise click.UsageError("nothing to change: give at least one option (see --help)")
    site = run(lambda: update_site(find_site(site_key), **changes))
    emit(site_info(site), f"Updated site {site.name!r} ({site.key}).", as_json)


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
        f"{row['site_key']}  +{row['whatsapp_number']}  {row['reuse_hours']}h  "
        f"ip {row['ip_policy']}  kept {row['retention_days'] or 'until erased'}"
        f"{'d' if row['retention_days'] else ''}  {row['name']}"
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "No sites yet.", as_json)
