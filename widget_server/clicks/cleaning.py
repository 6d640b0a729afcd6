"""Clean the widget's query parameters and pull attribution parameters out of the page URL."""

import re
from urllib.parse import parse_qsl, urlsplit

from click_ids import CLICK_IDS

MAX_URL = 2048
MAX_DEVICE_ID = 128
MAX_VALUE = 512
MAX_PARAMS = 40

# Ad platforms' click ids, by lowercase name, mapped to the spelling the row keeps.
CLICK_ID_NAMES = {name.lower(): name for name in CLICK_IDS}
# Control characters, undecodable bytes (kept as surrogates) and replacement characters.
_JUNK = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")
_DEVICE_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_DEVICE_ID}}}")
_COOKIE = re.compile(r"[\x21-\x7e]{1,255}")


def query_args(query_string: bytes) -> dict[str, str]:
    """Decode a raw query string, first value winning, leaving bytes that are not UTF-8 visible."""
    # werkzeug re-quotes such bytes into harmless-looking `%FF`; surrogates let them be dropped.
    args: dict[str, str] = {}
    text = query_string.decode("utf-8", "surrogateescape")
    for key, value in parse_qsl(text, keep_blank_values=True, errors="surrogateescape"):
        args.setdefault(key, value)
    return args


def clean_url(value: str | None) -> str | None:
    """Return value, trimmed, if it is a plausible http(s) URL of sane size, else None."""
    value = value.strip() if value else value
    if not value or len(value) > MAX_URL or _JUNK.search(value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (validates the port, which urlsplit leaves to this property)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return value


def clean_device_id(value: str | None) -> str | None:
    """Return value if it is a short run of visible ASCII characters, else None."""
    if value and _DEVICE_ID.fullmatch(value):
        return value
    return None


def clean_consent(value: str | None) -> str:
    """Return the widget's consent state: granted, denied, or unknown for anything else."""
    return value if value in ("granted", "denied") else "unknown"


def clean_cookie(value: str | None) -> str | None:
    """Return a first-party cookie value (`_fbp`, `_fbc`, `_ga`) if it is short visible ASCII."""
    if value and _COOKIE.fullmatch(value):
        return value
    return None


def clean_text(value: str | None, limit: int) -> str | None:
    """Cut free text such as a user agent to limit characters; drop it if it holds junk."""
    if not value or _JUNK.search(value):
        return None
    return value[:limit]


def attribution_params(url: str | None) -> dict[str, str]:
    """Return every `utm_*` parameter and known click id in url's query, first value winning."""
    if not url:
        return {}
    query = urlsplit(url).query
    if not query:
        return {}
    found: dict[str, str] = {}
    for key, value in parse_qsl(query, errors="replace"):
        name = _param_name(key)
        if name is None or name in found or not value or len(value) > MAX_VALUE:
            continue
        if _JUNK.search(value):
            continue
        found[name] = value
        if len(found) >= MAX_PARAMS:
            break
    return found


def _param_name(key: str) -> str | None:
    lowered = key.strip().lower()
    if lowered.startswith("utm_") and len(lowered) > 4 and len(lowered) <= 64:
        return lowered if not _JUNK.search(lowered) else None
    return CLICK_ID_NAMES.get(lowered)
