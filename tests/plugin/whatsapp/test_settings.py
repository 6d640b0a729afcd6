"""The channel's settings: a clear error at start-up for anything missing or malformed."""

import json
import os
import subprocess

import pytest
from support import BOT_BIN, QUIET, SECRETS, free_port

from plugin.whatsapp import WhatsAppInput
from plugin.whatsapp.settings import DEFAULT_GRAPH_URL, SettingsError

GOOD = {**SECRETS, "server_url": "http://127.0.0.1:5000/", "server_api_key": "wah_key"}


def test_good_settings_build_the_channel_with_defaults():
    channel = WhatsAppInput.from_credentials(GOOD)
    assert channel.settings.graph_url == DEFAULT_GRAPH_URL
    assert channel.settings.server_url == "http://127.0.0.1:5000"
    assert channel.graph.url == f"{DEFAULT_GRAPH_URL}/{SECRETS['phone_number_id']}/messages"
    assert (channel.settings.server_timeout, channel.settings.dedupe_ttl) == (2.0, 86400)


@pytest.mark.parametrize("name", sorted(GOOD))
def test_each_required_setting_is_named_when_missing(name):
    for broken in ({k: v for k, v in GOOD.items() if k != name}, {**GOOD, name: "  "}):
        with pytest.raises(SettingsError, match=name):
            WhatsAppInput.from_credentials(broken)


@pytest.mark.parametrize(
    ("change", "complaint"),
    [
        ({"phone_number_id": "+1 555 123"}, "phone_number_id must be digits"),
        ({"graph_url": "graph.facebook.com"}, "graph_url must be an http"),
        ({"server_url": "ftp://widget"}, "server_url must be an http"),
        ({"redis_url": "127.0.0.1:6379"}, "redis_url must look like"),
        ({"server_timeout": "soon"}, "server_timeout must be a number"),
        ({"dedupe_ttl": "-5"}, "dedupe_ttl must be positive"),
        ({"verify_tokn": "x"}, "unknown setting"),
        ({"reference_intent": "/greet"}, "reference_intent must be an intent name"),
        ({"reference_intent": "greet me"}, "reference_intent must be an intent name"),
        ({"reference_templates": ["Ref {ref}"]}, "must hold {reference} once"),
        ({"reference_templates": "{reference} {reference}"}, "must hold {reference} once"),
        ({"server_api_key": " , "}, r"missing setting\(s\) \['server_api_key'\]"),
        ({"server_api_key": {"a": 1}}, "server_api_key must be a string or a list"),
        ({"share_client_details": "yes"}, "share_client_details must be true or false"),
    ],
)
def test_malformed_settings_are_explained(change, complaint):
    with pytest.raises(SettingsError, match=complaint):
        WhatsAppInput.from_credentials({**GOOD, **change})


def test_several_site_keys_templates_and_the_metadata_key():
    channel = WhatsAppInput.from_credentials(
        {
            **GOOD,
            "server_api_key": "wah_shop, wah_blog",
            "reference_intent": "start_campaign",
            "reference_templates": ["Hola {reference}", "Ref {reference} (keep it)"],
            "metadata_key": " shared ",
        }
    )
    assert channel.settings.server_api_key == ("wah_shop", "wah_blog")
    assert channel.server.api_keys == ("wah_shop", "wah_blog")
    assert channel.settings.reference_intent == "start_campaign"
    assert channel.settings.reference_templates == ("Hola {reference}", "Ref {reference} (keep it)")
    assert channel.settings.metadata_key == "shared"
    as_list = WhatsAppInput.from_credentials({**GOOD, "server_api_key": ["wah_shop", "wah_blog"]})
    assert as_list.settings.server_api_key == ("wah_shop", "wah_blog")


def test_defaults_of_the_reference_settings():
    settings = WhatsAppInput.from_credentials(GOOD).settings
    assert (settings.reference_intent, settings.reference_templates) == ("greet", ())
    assert settings.metadata_key is None


def test_no_credentials_at_all_names_the_key():
    with pytest.raises(SettingsError, match=r"plugin\.whatsapp\.WhatsAppInput"):
        WhatsAppInput.from_credentials(None)


def test_rasa_run_stops_at_start_up_naming_the_bad_setting(model, tmp_path):
    broken = {k: v for k, v in GOOD.items() if k != "app_secret"}
    credentials = {"plugin.whatsapp.WhatsAppInput": broken}
    path = tmp_path / "credentials.yml"
    path.write_text(json.dumps(credentials))
    args = [str(BOT_BIN / "rasa"), "run", "--model", str(model), "--credentials", str(path)]
    done = subprocess.run(
        [*args, "--port", str(free_port())],
        env={**os.environ, **QUIET},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "missing setting(s) ['app_secret'] in credentials.yml" in done.stdout + done.stderr


def test_client_details_are_shared_only_when_asked():
    assert WhatsAppInput.from_credentials(GOOD).settings.share_client_details is False
    shared = WhatsAppInput.from_credentials({**GOOD, "share_client_details": True})
    assert shared.settings.share_client_details is True
