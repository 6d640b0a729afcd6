"""`flask keys`: issue, list and revoke the Bearer API keys of a site."""

import click
from flask.cli import AppGroup

from widget_server.cli.output import emit, run
from widget_server.models import SCOPES
from widget_server.sites.api_keys import issue_key, key_info, list_keys, revoke_key


@click.group("keys", cls=AppGroup)
def keys() -> None:
    """Manage the API keys of sites."""


@keys.command("create")
@click.option("--site", "site_key", required=True, help="The site key.")
@click.option(
    "--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES), help="Repeat."
)
@click.option("--json", "as_json", is_flag=True, help="Print the key as one JSON object.")
def create(site_key: str, scopes: tuple[str, ...], as_json: bool) -> None:
    """Issue a key; it is printed once and only its hash is kept."""
    key, plaintext = run(issue_key, site_key, scopes)
    text = f"{plaintext}\nKeep it now, only its hash is stored. Revoke: keys revoke {key.prefix}"
    emit({"api_key": plaintext, **key_info(key)}, text, as_json)


@keys.command("list")
@click.option("--site", "site_key", help="Only this site's keys.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_(site_key: str | None, as_json: bool) -> None:
    """List keys (prefixes and scopes, never the keys themselves)."""
    rows = [key_info(key) for key in run(list_keys, site_key)]
    lines = [
        f"{row['prefix']}  {row['site_key']}  {' '.join(row['scopes'])}"
        + (f"  revoked {row['revoked_at']}" if row["revoked_at"] else "")
        for row in rows
    ]
    emit(rows, "\n".join(lines) or "No keys yet.", as_json)


@keys.command("revoke")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked key as JSON.")
def revoke(key: str, as_json: bool) -> None:
    """Revoke a key, given by its prefix or in full; it stops working at once."""
    row = run(revoke_key, key)
    emit(key_info(row), f"Revoked {row.prefix} (site {row.site.key}).", as_json)
