"""Every setting of the widget server: its default, type and meaning, read and checked once."""

import contextlib
import os
import secrets
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import limits

PREFIX = "WIDGET_"
# A link to the top-level static/widget.js, so that wheels carry the script too.
WIDGET_JS = os.path.join(os.path.dirname(__file__), "static", "widget.js")
SECRET_KEY_FILE = "secret_key"


class ConfigError(ValueError):
    """A setting with a value the server cannot run with; the message names it."""


def _boolean(raw: object) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("1", "true", "yes", "on"):
        return True
    if isinstance(raw, str) and raw.strip().lower() in ("0", "false", "no", "off", ""):
        return False
    raise ValueError("must be true or false")


def _integer(raw: object) -> int:
    # bool is an int to Python, but `true` for a count is a mistake, not a 1.
    if isinstance(raw, bool) or not isinstance(raw, int | str):
        raise ValueError("must be an integer")
    try:
        return int(raw)
    except ValueError:
        raise ValueError("must be an integer") from None


def _number(raw: object) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError("must be a number")
    try:
        return float(raw)
    except ValueError:
        raise ValueError("must be a number") from None


def _text(raw: object) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError("must be a non-empty string")
    return raw


def _rate(raw: object) -> str:
    text = _text(raw)
    try:
        limits.parse_many(text)
    except ValueError:
        raise ValueError("must be a rate such as '5 per 15 minutes'") from None
    return text


@dataclass(frozen=True)
class Setting:
    """One setting: its default, how its value is read, and what it means."""

    default: Any
    parse: Callable[[object], Any]
    meaning: str
    minimum: float | None = None

    def read(self, name: str, raw: object) -> Any:
        """Return raw as this setting's type, or raise ConfigError naming name."""
        if raw is None and self.default is None:
            return None
        try:
            value = self.parse(raw)
        except ValueError as error:
            raise ConfigError(f"{name} {error}, not {raw!r}") from None
        if self.minimum is not None and value < self.minimum:
            raise ConfigError(f"{name} must be at least {self.minimum:g}, not {raw!r}")
        return value


SETTINGS: dict[str, Setting] = {
    "DATABASE_URL": Setting(
        None, _text, "any SQLAlchemy URL; SQLite in the instance folder if unset"
    ),
    "SECRET_KEY": Setting(
        None, _text, "signs page cursors; generated once into the instance folder if unset"
    ),
    "TRUSTED_PROXIES": Setting(
        0, _integer, "how many proxies in front append to X-Forwarded-For", 0
    ),
    "MAX_CONTENT_LENGTH": Setting(64 * 1024, _integer, "largest request body in bytes", 1),
    "DATABASE_CONNECT_TIMEOUT": Setting(
        5, _integer, "PostgreSQL only: give up connecting after this long (s)", 1
    ),
    "SITE_CACHE_SECONDS": Setting(
        30.0, _number, "how long a click trusts its process's copy of a site (s)", 0
    ),
    "WIDGET_JS_PATH": Setting(WIDGET_JS, _text, "the file served as /widget.js"),
    "DEMO_KEY_FILE": Setting(None, _text, "`make run` only: where the demo API key is kept"),
    "WEBHOOK_ALLOW_PRIVATE": Setting(
        False, _boolean, "let webhooks reach loopback and private networks"
    ),
    "WEBHOOK_TIMEOUT": Setting(10.0, _number, "read timeout of a delivery attempt (s)", 0),
    "WEBHOOK_CONNECT_TIMEOUT": Setting(
        5.0, _number, "connect timeout of a delivery attempt (s)", 0
    ),
    "WEBHOOK_BACKOFF_BASE": Setting(5.0, _number, "wait after the first failed attempt (s)", 0),
    "WEBHOOK_BACKOFF_FACTOR": Setting(4.0, _number, "growth of the wait per failed attempt", 1),
    "WEBHOOK_BACKOFF_CAP": Setting(86400.0, _number, "longest wait between attempts (s)", 0),
    "WEBHOOK_MAX_ATTEMPTS": Setting(11, _integer, "attempts before a delivery is failed", 1),
    "WEBHOOK_LEASE_SECONDS": Setting(
        60.0, _number, "how long a worker holds a claimed batch (s)", 0
    ),
    "WEBHOOK_POLL_INTERVAL": Setting(0.05, _number, "a worker's idle poll interval (s)", 0),
    "WEBHOOK_BATCH_SIZE": Setting(50, _integer, "deliveries claimed at once", 1),
    "META_GRAPH_VERSION": Setting(
        "v26.0", _text, "Graph API version of Meta destinations without --graph-version"
    ),
    "WEBHOOK_ROTATION_OVERLAP_HOURS": Setting(
        24.0, _number, "default of rotate-secret --overlap-hours", 0
    ),
    "DASHBOARD_COOKIE_SECURE": Setting(
        True,
        _boolean,
        "send the dashboard's login cookie over HTTPS only (false for plain-http dev)",
    ),
    "DASHBOARD_LOGIN_LIMIT_ACCOUNT": Setting(
        "5 per 15 minutes", _rate, "failed logins allowed per account before a 429"
    ),
    "DASHBOARD_LOGIN_LIMIT_ADDRESS": Setting(
        "20 per 15 minutes", _rate, "failed logins allowed per client address before a 429"
    ),
    "CLICK_LIMIT_CLIENT": Setting(
        "60 per minute", _rate, "recorded clicks per client address and site; a site may differ"
    ),
    "CLICK_LIMIT_SITE": Setting(
        "6000 per minute", _rate, "recorded clicks per site, all clients; a site may differ"
    ),
    "LINK_WINDOW_HOURS": Setting(
        168.0, _number, "a reference links a conversation only this long after its last click", 1
    ),
    "CORRELATION_LIMIT_WHATSAPP": Setting(
        "10 per minute", _rate, "correlation attempts per WhatsApp id before a 429"
    ),
    "CORRELATION_LIMIT_KEY": Setting(
        "60 per minute", _rate, "correlation attempts naming no session, per API key, before a 429"
    ),
    "METRICS_TOKEN": Setting(
        None, _text, "bearer token of /metrics (Prometheus); /metrics answers 404 while unset"
    ),
    "RATELIMIT_STORAGE_URI": Setting(
        "memory://",
        _text,
        "where the rate limiter counts: memory:// per process, redis://... shared",
    ),
}


def defaults(prefix: str = "") -> dict[str, Any]:
    """Return the default of every setting whose name starts with prefix."""
    return {name: s.default for name, s in SETTINGS.items() if name.startswith(prefix)}


def read(name: str, raw: object) -> Any:
    """Return the value of setting name given as raw (a string from the environment, or typed)."""
    return SETTINGS[name].read(name, raw)


def load(config: MutableMapping[str, Any], environ: Mapping[str, str] | None = None) -> None:
    """Put every setting into config, typed: from environ's WIDGET_* if given, else config."""
    for name, setting in SETTINGS.items():
        raw = config.get(name, setting.default)
        label = name
        if environ is not None and PREFIX + name in environ:
            raw, label = environ[PREFIX + name], PREFIX + name
        config[name] = setting.read(label, raw)


def secret_key(instance_path: str) -> str:
    """Return the key kept in the instance folder, drawing it on the first run."""
    path = os.path.join(instance_path, SECRET_KEY_FILE)
    if not os.path.exists(path):
        draft = f"{path}.{os.getpid()}.tmp"
        with open(os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as saved:
            saved.write(secrets.token_hex(32) + "\n")
        # A link appears whole or not at all: of two servers starting at once, the first wins.
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        os.unlink(draft)
    with open(path) as saved:
        key = saved.read().strip()
    if not key:
        raise ConfigError(f"{path} is empty: delete it to draw a new key, or set WIDGET_SECRET_KEY")
    return key
