"""The action server's WA_HANDOFF_* settings: defaults, and an error naming the bad variable."""

import pytest

from plugin.action_settings import ActionSettings, ActionSettingsError

GOOD = {"WA_HANDOFF_SERVER_URL": "http://127.0.0.1:5000/", "WA_HANDOFF_API_KEY": "wah_key"}


def test_no_server_configured_is_none():
    assert ActionSettings.from_environ({}) is None
    assert ActionSettings.from_environ({"WA_HANDOFF_SERVER_URL": " ", "PATH": "/bin"}) is None


def test_good_settings_with_the_default_timeout():
    assert ActionSettings.from_environ(GOOD) == ActionSettings(
        "http://127.0.0.1:5000", "wah_key", 2.0
    )
    assert ActionSettings.from_environ({**GOOD, "WA_HANDOFF_TIMEOUT": "0.5"}).timeout == 0.5


@pytest.mark.parametrize("missing", sorted(GOOD))
def test_one_of_url_and_key_alone_names_the_other(missing):
    given = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ActionSettingsError, match=f"^{missing} is not set"):
        ActionSettings.from_environ(given)


@pytest.mark.parametrize("timeout", ["soon", "0", "-2", "nan", "inf"])
def test_a_bad_timeout_is_named(timeout):
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_TIMEOUT must be a positive"):
        ActionSettings.from_environ({**GOOD, "WA_HANDOFF_TIMEOUT": timeout})


@pytest.mark.parametrize("url", ["127.0.0.1:5000", "ftp://widget", "http://"])
def test_a_bad_url_is_named(url):
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_SERVER_URL must be an http"):
        ActionSettings.from_environ({**GOOD, "WA_HANDOFF_SERVER_URL": url})
