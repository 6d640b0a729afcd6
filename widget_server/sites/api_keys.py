"""Issue, list and revoke the Bearer API keys of a site."""

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from widget_server.db import db
from widget_server.errors import OperatorError
from widget_server.models import SCOPES, ApiKey, isoformat, utcnow
from widget_server.sites.registry import find_site


class UnknownKey(OperatorError):
    """No key has the prefix an operator gave."""


def issue_key(site_key: str, scopes: Iterable[str]) -> tuple[ApiKey, str]:
    """Issue a key with scopes, each once in canonical order; return it and its plaintext."""
    key, plaintext = ApiKey.issue(find_site(site_key), sorted(set(scopes), key=SCOPES.index))
    db.session.add(key)
    db.session.commit()
    return key, plaintext


def list_keys(site_key: str | None = None) -> list[ApiKey]:
    """Return the keys, oldest first, of one site if given."""
    query = sa.select(ApiKey).order_by(ApiKey.id)
    if site_key is not None:
        query = query.filter_by(site_id=find_site(site_key).id)
    return list(db.session.scalars(query))


def revoke_key(key: str) -> ApiKey:
    """Revoke a key given by its prefix or in full; revoking it again changes nothing."""
    prefix = ApiKey.prefix_of(key) or key
    row = db.session.scalars(sa.select(ApiKey).filter_by(prefix=prefix)).one_or_none()
    if row is None:
        raise UnknownKey(f"no key {prefix!r} (see `keys list`)")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.commit()
    return row


def key_info(key: ApiKey) -> dict[str, Any]:
    """Describe a key without its secret."""
    return {
        "prefix": key.prefix,
        "site_key": key.site.key,
        "scopes": key.scopes.split(),
        "created_at": isoformat(key.created_at),
        "revoked_at": isoformat(key.revoked_at),
    }
