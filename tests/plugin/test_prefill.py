"""Reading a message for its reference: the pre-filled words out, the visitor's words kept."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from plugin.prefill import DEFAULT_TEMPLATE, Reading, read

REF = "O-aB3dE9z"
PREFILLED = DEFAULT_TEMPLATE.format(reference=REF)
VOCABULARY = ["hola", "ship", "to", "Spain", "¿precio?", "42", "ok!", "ñandú", "O-"]
words = st.lists(st.sampled_from(VOCABULARY), min_size=1, max_size=6).map(" ".join)


def test_the_widget_servers_default_message_is_what_the_server_prefills(widget_server):
    reference, text = widget_server.prefilled("https://shop.example/?utm_campaign=spring")
    assert text == DEFAULT_TEMPLATE.format(reference=reference)
    assert read(text) == Reading(reference, "")


@pytest.mark.parametrize(
    ("text", "own"),
    [
        (PREFILLED, ""),
        (f"Hi! {PREFILLED}", "Hi!"),
        (f"{PREFILLED}\nDo you ship to Spain?", "Do you ship to Spain?"),
        (f"Hello\n\n{PREFILLED}  Thanks", "Hello Thanks"),
        (f"Reference: {REF}", ""),  # the visitor cut the parenthesis
        (f"Reference: {REF} (Please send this", ""),  # or part of it
        (f"*Reference:* {REF}", ""),
        (f"({REF})", ""),
        (f"hi {REF}", "hi"),
        (f"👋 {PREFILLED} 😀!", ""),  # no word of their own: the bot is greeted
        (f"{REF} please call me", "please call me"),  # not the template's "(Please send ..."
        (DEFAULT_TEMPLATE.upper().replace("{REFERENCE}", "o\u2011aB3dE9z"), ""),
    ],
)
def test_only_the_visitors_own_words_are_left(text, own):
    assert read(text) == Reading(REF, own)


def test_a_message_without_a_reference_is_left_whole():
    assert read("how much is it?") == Reading(None, "how much is it?")


def test_a_sites_own_template_is_taken_out_too():
    template = "Hola! Mi referencia es {reference} [no la borres]"
    text = f"{template.format(reference=REF)} ¿tienen stock?"
    assert read(text) == Reading(REF, "Hola! Mi referencia es [no la borres] ¿tienen stock?")
    assert read(text, [template]) == Reading(REF, "¿tienen stock?")


@given(before=words, after=words)
def test_words_around_the_prefilled_message_survive(before, after):
    reading = read(f"{before}\n{PREFILLED}\n{after}")
    assert reading.reference == REF
    assert reading.words.split() == f"{before} {after}".split()
