"""Settings: each read once in create_app, typed, and a bad one stops start-up by name."""

import stat
from pathlib import Path

import pytest

from widget_server import config, create_app
from widget_server.config import ConfigError


def test_every_setting_has_a_default_a_parser_and_a_meaning():
    for name, setting in config.SETTINGS.items():
        assert name.isupper() and setting.meaning
        if setting.default is not None:
            assert setting.read(name, setting.default) == setting.default


@pytest.mark.parametrize(
    ("name", "raw", "value"),
    [
        ("TRUSTED_PROXIES", "2", 2),
        ("WEBHOOK_ALLOW_PRIVATE", "true", True),
        ("WEBHOOK_ALLOW_PRIVATE", "off", False),
        ("WEBHOOK_TIMEOUT", "2.5", 2.5),
        ("WEBHOOK_BATCH_SIZE", 7, 7),
        ("SECRET_KEY", "s3cret", "s3cret"),
    ],
)
def test_strings_from_the_environment_become_typed_values(name, raw, value):
    assert config.read(name, raw) == value
    assert type(config.read(name, raw)) is type(value)


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("TRUSTED_PROXIES", "two", "TRUSTED_PROXIES must be an integer, not 'two'"),
        ("TRUSTED_PROXIES", "-1", "TRUSTED_PROXIES must be at least 0, not '-1'"),
        ("TRUSTED_PROXIES", True, "TRUSTED_PROXIES must be an integer, not True"),
        ("WEBHOOK_TIMEOUT", "soon", "WEBHOOK_TIMEOUT must be a number, not 'soon'"),
        ("WEBHOOK_ALLOW_PRIVATE", "maybe", "WEBHOOK_ALLOW_PRIVATE must be true or false"),
        ("WEBHOOK_MAX_ATTEMPTS", "0", "WEBHOOK_MAX_ATTEMPTS must be at least 1"),
        ("SECRET_KEY", " ", "SECRET_KEY must be a non-empty string"),
    ],
)
def test_a_bad_value_names_its_setting(name, raw, message):
    with pytest.raises(ConfigError, match=message):
        config.read(name, raw)


def test_a_bad_environment_variable_stops_start_up_naming_it(monkeypatch):
    monkeypatch.setenv("WIDGET_TRUSTED_PROXIES", "two")
    with pytest.raises(ConfigError, match="WIDGET_TRUSTED_PROXIES must be an integer, not 'two'"):
        create_app()


def test_a_bad_test_config_stops_start_up_too():
    with pytest.raises(ConfigError, match="MAX_CONTENT_LENGTH must be an integer"):
        create_app({"MAX_CONTENT_LENGTH": "big"})


def test_the_environment_is_read_typed(monkeypatch, tmp_path):
    monkeypatch.setenv("WIDGET_TRUSTED_PROXIES", "2")
    monkeypatch.setenv("WIDGET_WEBHOOK_ALLOW_PRIVATE", "yes")
    monkeypatch.setenv("WIDGET_DATABASE_URL", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("WIDGET_SECRET_KEY", "from-the-environment")
    app = create_app()
    assert app.config["TRUSTED_PROXIES"] == 2
    assert app.config["WEBHOOK_ALLOW_PRIVATE"] is True
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/env.db"
    assert app.config["SECRET_KEY"] == "from-the-environment"


def test_the_secret_key_is_drawn_once_into_the_instance_folder(tmp_path):
    first = config.secret_key(str(tmp_path))
    assert first == config.secret_key(str(tmp_path)) and len(first) == 64
    path = tmp_path / config.SECRET_KEY_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == [config.SECRET_KEY_FILE]  # no draft left
    path.unlink()
    assert config.secret_key(str(tmp_path)) != first


def test_an_empty_key_file_is_an_error_not_an_empty_key(tmp_path):
    (tmp_path / config.SECRET_KEY_FILE).write_text("\n")
    with pytest.raises(ConfigError, match="is empty"):
        config.secret_key(str(tmp_path))


def test_an_app_without_a_secret_key_uses_the_instance_folders(app):
    path = Path(app.instance_path) / config.SECRET_KEY_FILE
    assert app.config["SECRET_KEY"] == path.read_text().strip()


def test_webhook_settings_take_their_defaults_from_here():
    from widget_server.webhooks.settings import DEFAULTS

    assert config.defaults("WEBHOOK_") == DEFAULTS
    assert DEFAULTS["WEBHOOK_MAX_ATTEMPTS"] == 11
