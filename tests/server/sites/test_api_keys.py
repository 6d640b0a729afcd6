"""API keys as plain functions: issued once in plaintext, listed without it, revoked for good."""

import pytest

from widget_server.sites.api_keys import UnknownKey, issue_key, key_info, list_keys, revoke_key
from widget_server.sites.registry import UnknownSite


def test_issue_list_and_revoke(app, site):
    with app.app_context():
        key, plaintext = issue_key(
            site, ["correlations:write", "attribution:read", "attribution:read"]
        )
        assert key.scopes.split() == ["attribution:read", "correlations:write"]
        assert key.matches(plaintext)
        assert list_keys(site) == [key] == list_keys()
        assert plaintext not in str(key_info(key))
        revoked = revoke_key(plaintext)
        assert revoked is key and revoked.revoked_at is not None
        assert revoke_key(key.prefix).revoked_at == revoked.revoked_at  # a second time: unchanged


def test_unknown_keys_and_sites(app, site):
    with app.app_context():
        with pytest.raises(UnknownKey, match="no key '0123456789ab'"):
            revoke_key("0123456789ab")
        with pytest.raises(UnknownSite):
            issue_key("s_nope", ["attribution:read"])
        with pytest.raises(UnknownSite):
            list_keys("s_nope")
