"""`flask keys`: issue, list and revoke the Bearer API keys of a site."""

import click
from flask.cli import AppGroup
from sqlalchemy import select

from widget_server.cli import emit
from widget_server.db import db
from widget_server.models import SCOPES, ApiKey, Site, isoformat, utcnow


def find_site(key: str) -> Site:
    """Return the site with key, or fail as a usage error naming the option."""
    site = db.session.execute(select(Site).filter_by(key=key)).scalar_one_or_none()
    if site is None:
        raise click.BadParameter(
            f"no site with key {key!r} (see `sites list`)", param_hint="'--site'"
        )
    return site


def key_info(key: ApiKey) -> dict:
    """Describe a key without its secret."""
    return {
        "prefix": key.prefix,
        "site_key": key.site.key,
        "scopes": key.scopes.split(),
        "created_at": isoformat(key.created_at),
        "revoked_at": isoformat(key.revoked_at),
    }


@click.group("keys", cls=AppGroup)
def keys():
    """Manage the API keys of sites."""


@keys.command("create")
@click.option("--site", "site_key", required=True, help="The site key.")
@click.option(
    "--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPES), help="Repeat."
)
@click.option("--json", "as_json", is_flag=True, help="Print the key as one JSON object.")
def create(site_key, scopes, as_json):
    """Issue a key; it is printed once and only its hash is kept."""
    site = find_site(site_key)
    key, plaintext = ApiKey.issue(site, sorted(set(scopes), key=SCOPES.index))
    db.session.add(key)
    db.session.commit()
    text = f"{plaintext}\nKeep it now, only its hash is stored. Revoke: keys revoke {key.prefix}"
    emit(as_json, {"api_key": plaintext, **key_info(key)}, text)


@keys.command("list")
@click.option("--site", "site_key", help="Only this site's keys.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
def list_keys(site_key, as_json):
    """List keys (prefixes and scopes, never the keys themselves)."""
    query = select(ApiKey).order_by(ApiKey.id)
    if site_key is not None:
        query = query.filter_by(site_id=find_site(site_key).id)
    rows = [key_info(key) for key in db.session.execute(query).scalars()]
    lines = [
        f"{row['prefix']}  {row['site_key']}  {' '.join(row['scopes'])}"
        + (f"  revoked {row['revoked_at']}" if row["revoked_at"] else "")
        for row in rows
    ]
    emit(as_json, rows, "\n".join(lines) or "No keys yet.")


@keys.command("revoke")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the revoked key as JSON.")
def revoke(key, as_json):
    """Revoke a key, given by its prefix or in full; it stops working at once."""
    prefix = ApiKey.prefix_of(key) or key
    row = db.session.execute(select(ApiKey).filter_by(prefix=prefix)).scalar_one_or_none()
    if row is None:
        raise click.BadParameter(f"no key {prefix!r} (see `keys list`)", param_hint="KEY")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    emit(as_json, key_info(row), f"Revoked {row.prefix} (site {row.site.key}).")
