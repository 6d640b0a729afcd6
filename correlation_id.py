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
PATTERN = re.compile(rf"^{PREFIX}[A-Za-z0-9]{{{LENGTH}}}$")

# What phones and keyboards do to "O-aB3dE9z": invisible characters slipped in, and hyphens
# swapped for look-alikes. Dropped or folded before searching.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212\ufe63\uff0d"), "-")
_FINDER = re.compile(rf"(?<![A-Za-z0-9])[Oo]\s*-\s*([A-Za-z0-9]{{{LENGTH}}})(?![A-Za-z0-9])")


def new_id() -> str:
    """Draw a fresh random correlation ID."""
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_valid(value: str) -> bool:
    """Tell whether value is a correlation ID exactly as issued."""
    return isinstance(value, str) and PATTERN.match(value) is not None


def find(text: str) -> str | None:
    """Return the first correlation ID in text, normalised to its canonical `O-` form."""
    found = locate(text)
    return found[0] if found else None


def locate(text: str) -> tuple[str, str, str] | None:
    """Return the first correlation ID in text with the text before and after it, or None.

    The text around it comes back as find reads it: NFKC-normalised, invisible characters
    dropped and hyphens folded.
    """
    if not text:
        return None
    cleaned = unicodedata.normalize("NFKC", text).translate(_INVISIBLE).translate(_HYPHENS)
    match = _FINDER.search(cleaned)
    if match is None:
        return None
    return PREFIX + match.group(1), cleaned[: match.start()], cleaned[match.end() :]
