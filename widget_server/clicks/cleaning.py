"""Clean the widget's query parameters and pull attribution parameters out of the page URL."""

import re
from collections.abc import Iterable
from functools import lru_cache
from urllib.parse import SplitResult, parse_qsl, unquote_plus, urlsplit, urlunsplit

from click_ids import CLICK_IDS

MAX_URL = 2048
# Stored page URLs longer than this keep only their tracked parameters: a click's row stays small.
MAX_STORED_URL = 1024
MAX_DEVICE_ID = 128
MAX_REFERRER = 512
MAX_VALUE = 512
MAX_PARAMS = 40

# Ad platforms' click ids, by lowercase name, mapped to the spelling the row keeps.
CLICK_ID_NAMES = {name.lower(): name for name in CLICK_IDS}
# Query parameters that commonly carry personal data or secrets: a name is dropped when it, or
# one of its words, is here (`session_id`, `reset_token`, `accessToken`, `e-mail`, `first_name`).
PERSONAL_WORDS = frozenset(
    [
        "email",
        "mail",
        "phone",
        "tel",
        "mobile",
        "name",
        "firstname",
        "lastname",
        "fullname",
        "surname",
        "address",
        "street",
        "zip",
        "postcode",
        "token",
        "password",
        "passwd",
        "pwd",
        "pass",
        "secret",
        "auth",
        "authorization",
        "jwt",
        "otp",
        "code",
        "session",
        "sessionid",
        "sid",
        "ssn",
        "dob",
        "birthdate",
        "user",
        "username",
        "login",
        "apikey",
        "key",
        "signature",
        "sig",
    ]
)
_WORDS = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
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
    if not value or len(value) > MAX_URL or _http_parts(value) is None:
        return None
    return value


def _http_parts(value: str) -> SplitResult | None:
    """Split value if it is an http(s) URL with a host and no junk, else return None."""
    if _JUNK.search(value):
        return None
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018  (validates the port, which urlsplit leaves to this property)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return parts


def clean_page_url(
    value: str | None, extra_names: Iterable[str] = ()
) -> tuple[str | None, dict[str, str]]:
    """Return a page URL fit to store, without personal data, and its attribution parameters.

    The parameters are read first, so an over-long URL still gives its campaign; the URL kept is
    the trimmed one (see trim_url), cut to its tracked parameters if it is still too long.
    """
    value = value.strip() if value else value
    parts = _http_parts(value) if value else None
    if parts is None:
        return None, {}
    # Split once: the click link runs this on every click.
    params = _attribution(parts.query)
    extra = {name.lower() for name in extra_names}
    trimmed = _trim(parts, extra)
    if len(trimmed) > MAX_STORED_URL:
        trimmed = _trim(parts, extra, keep_only_tracked=True)
    # Pieces of a URL already checked, so only its length is left to check.
    return (trimmed if len(trimmed) <= MAX_URL else None), params


def trim_url(url: str, extra_names: Iterable[str] = (), keep_only_tracked: bool = False) -> str:
    """Drop url's fragment and every query parameter that may carry personal data.

    UTM parameters and click ids are always kept; extra_names (any case) are dropped as well,
    e.g. a site's own list. With keep_only_tracked, every other parameter goes too.
    """
    return _trim(urlsplit(url), {name.lower() for name in extra_names}, keep_only_tracked)


def _trim(parts: SplitResult, extra: set[str], keep_only_tracked: bool = False) -> str:
    kept = []
    for piece in parts.query.split("&"):
        name = unquote_plus(piece.partition("=")[0])
        if _param_name(name) is not None or (
            piece and not keep_only_tracked and not _is_personal(name, extra)
        ):
            kept.append(piece)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "&".join(kept), ""))


def _is_personal(name: str, extra: set[str]) -> bool:
    lowered, words = _words(name)
    return (
        lowered in extra
        or lowered in PERSONAL_WORDS
        or any(word in PERSONAL_WORDS or word in extra for word in words)
    )


@lru_cache(maxsize=4096)  # pages repeat their parameter names; a bounded cache stays small
def _words(name: str) -> tuple[str, tuple[str, ...]]:
    """Return name lowercased, and its words (`accessToken` -> access, token)."""
    stripped = name.strip()
    return stripped.lower(), tuple(_WORDS.findall(_CAMEL.sub("_", stripped).lower()))


def clean_referrer(value: str | None, extra_names: Iterable[str] = ()) -> str | None:
    """Return the referrer trimmed like a page URL; a long one loses its query, then its end."""
    url = clean_page_url(value, extra_names)[0]
    if url is None or len(url) <= MAX_REFERRER:
        return url
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"[:MAX_REFERRER]


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
    return _attribution(urlsplit(url).query) if url else {}


def _attribution(query: str) -> dict[str, str]:
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
