"""The action server's WA_HANDOFF_* settings: defaults, and an error naming the bad variable."""

import pytest

from plugin.action_settings import ActionSettings, ActionSettingsError

GOOD = {"WA_HANDOFF_SERVER_URL": "http://127.0.0.1:5000/", "WA_HANDOFF_ACTION_API_KEYS": "wah_key"}


def test_nothing_configured_means_no_server_and_no_trusted_metadata():
    for environ in ({}, {"WA_HANDOFF_SERVER_URL": " ", "PATH": "/bin"}):
        settings = ActionSettings.from_environ(environ)
        assert settings == ActionSettings()
        assert (settings.server_url, settings.api_keys, settings.metadata_key) == (None, (), None)


def test_good_settings_with_the_default_timeout():
    assert ActionSettings.from_environ(GOOD) == ActionSettings(
        "http://127.0.0.1:5000", ("wah_key",), None, (), 2.0
    )
    assert ActionSettings.from_environ({**GOOD, "WA_HANDOFF_TIMEOUT": "0.5"}).timeout == 0.5


def test_several_sites_keys_channels_and_the_metadata_key():
    settings = ActionSettings.from_environ(
        {
            **GOOD,
            "WA_HANDOFF_ACTION_API_KEYS": " wah_shop , wah_blog,",
            "WA_HANDOFF_METADATA_KEY": " shared-secret ",
            "WA_HANDOFF_WHATSAPP_CHANNELS": "twilio, rest_bridge",
        }
    )
    assert settings.api_keys == ("wah_shop", "wah_blog")
    assert settings.metadata_key == "shared-secret"
    assert settings.whatsapp_channels == ("twilio", "rest_bridge")


@pytest.mark.parametrize("missing", sorted(GOOD))
def test_one_of_url_and_key_alone_names_the_other(missing):
    given = {k: v for k, v in GOOD.items() if k != missing}
    with pytest.raises(ActionSettingsError, match=f"^{missing} is not set"):
        ActionSettings.from_environ(given)


def test_the_old_shared_key_name_is_named_with_its_new_name():
    old = {"WA_HANDOFF_SERVER_URL": "http://127.0.0.1:5000", "WA_HANDOFF_API_KEY": "wah_key"}
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_API_KEY is now WA_HANDOFF_ACTION"):
        ActionSettings.from_environ(old)
    # The channel's own variable may live in the same .env: beside the new name it is ignored.
    assert ActionSettings.from_environ({**old, **GOOD}).api_keys == ("wah_key",)


@pytest.mark.parametrize("timeout", ["soon", "0", "-2", "nan", "inf"])
def test_a_bad_timeout_is_named(timeout):
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_TIMEOUT must be a positive"):
        ActionSettings.from_environ({**GOOD, "WA_HANDOFF_TIMEOUT": timeout})


@pytest.mark.parametrize("url", ["127.0.0.1:5000", "ftp://widget", "http://"])
def test_a_bad_url_is_named(url):
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_SERVER_URL must be an http"):
        ActionSettings.from_environ({**GOOD, "WA_HANDOFF_SERVER_URL": url})


def test_a_bad_channel_name_is_named():
    with pytest.raises(ActionSettingsError, match=r"^WA_HANDOFF_WHATSAPP_CHANNELS must name"):
        ActionSettings.from_environ({"WA_HANDOFF_WHATSAPP_CHANNELS": "twilio; rm -rf"})


def test_client_details_are_kept_in_fetched_rows_only_when_asked():
    assert ActionSettings.from_environ(GOOD).share_client_details is False
    shared = {**GOOD, "WA_HANDOFF_SHARE_CLIENT_DETAILS": "True"}
    assert ActionSettings.from_environ(shared).share_client_details is True
    with pytest.raises(ActionSettingsError, match="WA_HANDOFF_SHARE_CLIENT_DETAILS must be true"):
        ActionSettings.from_environ({**GOOD, "WA_HANDOFF_SHARE_CLIENT_DETAILS": "1"})
