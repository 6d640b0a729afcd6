"""Tell the site's pre-filled words around a reference from the words the visitor added.

The widget pre-fills WhatsApp with a message built from a template such as the server's default
below; the visitor may send it as is, edit it, or write around it. Only what they wrote should
reach the bot's NLU.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import correlation_id

# The widget server's default message (DEFAULT_MESSAGE in widget_server/models.py); the plugin
# suite checks that the server still pre-fills exactly this.
DEFAULT_TEMPLATE = (
    "Reference: {reference} (Please send this reference number, it helps us find your request)"
)
PLACEHOLDER = "{reference}"

MIN_RUN = 3
_WORD = re.compile(r"\w+")
_HAS_WORD = re.compile(r"\w")
# What a template puts around the reference and its words: labels, brackets, quotes, marks.
_OPENING = " \t\r\n([{<«\"'\u201c\u2018*_:"
_CLOSING = " \t\r\n)]}>»\"'\u201d\u2019*_.,;:!?-"


@dataclass(frozen=True)
class Reading:
    """A message read for its reference: the reference and the visitor's own words."""

    reference: str | None
    words: str


def read(text: str, templates: Iterable[str] = ()) -> Reading:
    """Return the message's first reference and what is left once the pre-filled words go.

    The server's default template is always tried, then each of templates; the one that leaves
    the least wins. Words come back "" when nothing but pre-filled words and punctuation is left.
    """
    located = correlation_id.locate(text)
    if located is None:
        return Reading(None, text)
    reference, before, after = located
    best: str | None = None
    for template in (DEFAULT_TEMPLATE, *templates):
        left = _strip(before, after, template)
        if best is None or len(left) < len(best):
            best = left
    words = best or ""
    return Reading(reference, words if _HAS_WORD.search(words) else "")


def _strip(before: str, after: str, template: str) -> str:
    """Return before + after without the template's words next to the reference."""
    head, _, tail = _normal(template).partition(PLACEHOLDER)
    before = before[: _tail_match(before, _words(head))].rstrip(_OPENING)
    after = after[_head_match(after, _words(tail)) :].lstrip(_CLOSING)
    return " ".join(part for part in (before.strip(), after.strip()) if part)


def _tail_match(text: str, words: list[str]) -> int:
    """Return where the run of text's last words equal to words' last ones starts."""
    found = list(_WORD.finditer(text))[::-1]
    count = _run(found, words[::-1])
    return found[count - 1].start() if count else len(text)


def _head_match(text: str, words: list[str]) -> int:
    """Return where the run of text's first words equal to words' first ones ends."""
    found = list(_WORD.finditer(text))
    count = _run(found, words)
    return found[count - 1].end() if count else 0


def _run(found: list[re.Match[str]], words: list[str]) -> int:
    """Count the leading matches equal to words; a run too short to be the template is 0."""
    count = 0
    while count < min(len(found), len(words)) and found[count].group().casefold() == words[count]:
        count += 1
    # A visitor's own "please ..." after the reference is not the template's "(Please send ...".
    return count if count >= min(MIN_RUN, len(words)) else 0


def _words(text: str) -> list[str]:
    """Return the casefolded words of text."""
    return [word.casefold() for word in _WORD.findall(text)]


def _normal(template: str) -> str:
    """Return template as correlation_id.locate returns text: NFKC-normalised."""
    return unicodedata.normalize("NFKC", template)
