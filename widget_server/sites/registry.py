"""Create, list and find the sites that embed the widget."""

from typing import Any

import sqlalchemy as sa

from widget_server.db import db
from widget_server.errors import OperatorError
from widget_server.models import Site, isoformat
from widget_server.sites.fields import cleaned


class UnknownSite(OperatorError):
    """No site answers to the key an operator gave."""


def find_site(site: str) -> Site:
    """Return the site with this key (or numeric id), or raise UnknownSite."""
    query = sa.select(Site).where(Site.key == site)
    if site.isdigit():
        query = sa.select(Site).where(sa.or_(Site.key == site, Site.id == int(site)))
    found = db.session.scalars(query).first()
    if found is None:
        raise UnknownSite(f"no site with key {site!r} (see `sites list`)")
    return found


def create_site(
    name: str,
    whatsapp_number: str,
    message: str,
    reuse_hours: int,
    whatsapp_base_url: str,
    click_limit_client: str | None = None,
    click_limit_site: str | None = None,
    **privacy: Any,
) -> Site:
    """Create a site with a freshly drawn public key; a bad setting raises InvalidSite.

    privacy takes ip_policy, retention_days and private_params; left out, everything is kept.
    """
    fields = cleaned(
        name=name,
        whatsapp_number=whatsapp_number,
        message=message,
        reuse_hours=reuse_hours,
        whatsapp_base_url=whatsapp_base_url,
        click_limit_client=click_limit_client,
        click_limit_site=click_limit_site,
        **privacy,
    )
    site = Site(key=Site.new_key(), ip_policy="full", private_params="")
    _assign(site, fields)
    db.session.add(site)
    db.session.commit()
    return site


def update_site(site: Site, **fields: Any) -> Site:
    """Change some of a site's settings (the names create_site takes); all or none are saved."""
    _assign(site, cleaned(**fields))
    db.session.commit()
    return site


def _assign(site: Site, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(site, "message_template" if name == "message" else name, value)


def list_sites() -> list[Site]:
    """Return every site, oldest first."""
    return list(db.session.scalars(sa.select(Site).order_by(Site.id)))


def site_info(site: Site) -> dict[str, Any]:
    """Describe a site for people and scripts."""
    return {
        "site_key": site.key,
        "name": site.name,
        "whatsapp_number": site.whatsapp_number,
        "message": site.message_template,
        "reuse_hours": site.reuse_hours,
        "whatsapp_base_url": site.whatsapp_base_url,
        "click_limit_client": site.click_limit_client,
        "click_limit_site": site.click_limit_site,
        "ip_policy": site.ip_policy,
        "retention_days": site.retention_days,
        "private_params": site.private_params.split(),
        "created_at": isoformat(site.created_at),
    }
