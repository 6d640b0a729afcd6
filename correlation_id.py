"""The correlation ID: `O-` plus 7 letters or digits, how to draw one and how to find one in text.

Dependency-free on purpose: the widget server and the Rasa plugin both import it.
"""

import re
import secrets
import string
import unicodedata

PREFIX = "O-"
LENGTH = 7
ALPHABET = string.ascii_letters + string.digits
_UNBIASED = 256 - 256 % len(ALPHABET)  # 248: four whole rounds of the 62 letters
PATTERN = re.compile(rf"^{PREFIX}[A-Za-z0-9]{{{LENGTH}}}$")

# What phones and keyboards do to "O-aB3dE9z": format characters (Unicode category Cf: zero-width
# spaces, bidi marks, soft hyphens) slipped in, hyphens swapped for look-alikes, and the `O` typed
# as a zero or a Cyrillic or Greek O. Dropped or folded before searching; the server confirms an
# id exists, so a look-alike guessed wrong costs one lookup, never a wrong link.
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_HEADS = "Oo0\u041e\u043e\u039f\u03bf"
# Not glued to a letter or digit of any script on either side.
_FINDER = re.compile(
    rf"(?<![^\W_])[{_HEADS}]\s*-\s*([A-Za-z0-9]{{{LENGTH}}})(?![^\W_])", re.UNICODE
)


def new_id() -> str:
    """Draw a fresh random correlation ID."""
    # One read of the system's randomness, not one per letter: the click link draws on every
    # click. Bytes from _UNBIASED up are dropped, so each letter stays equally likely.
    letters = ""
    while len(letters) < LENGTH:
        drawn = secrets.token_bytes(LENGTH + 2)
        letters += "".join(ALPHABET[byte % len(ALPHABET)] for byte in drawn if byte < _UNBIASED)
    return PREFIX + letters[:LENGTH]


def is_valid(value: str) -> bool:
    """Tell whether value is a correlation ID exactly as issued."""
    return isinstance(value, str) and PATTERN.match(value) is not None


def find_all(text: str) -> list[str]:
    """Return every correlation ID in text, in order and without repeats, in canonical form."""
    found = (PREFIX + match.group(1) for match in _FINDER.finditer(_clean(text)))
    return list(dict.fromkeys(found))


def find(text: str) -> str | None:
    """Return the first correlation ID in text, normalised to its canonical `O-` form."""
    found = locate(text)
    return found[0] if found else None


def locate(text: str) -> tuple[str, str, str] | None:
    """Return the first correlation ID in text with the text before and after it, or None.

    The text around it comes back as find reads it: NFKC-normalised, format characters
    dropped and hyphens folded.
    """
    cleaned = _clean(text)
    match = _FINDER.search(cleaned)
    if match is None:
        return None
    return PREFIX + match.group(1), cleaned[: match.start()], cleaned[match.end() :]


def _clean(text: str) -> str:
    """Return text as the finder reads it."""
    if not text or not isinstance(text, str):
        return ""
    folded = unicodedata.normalize("NFKC", text)
    return "".join(c for c in folded if unicodedata.category(c) != "Cf").translate(_HYPHENS)
