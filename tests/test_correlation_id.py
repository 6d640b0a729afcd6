"""The correlation ID format, shared by the server and the plugin."""

from hypothesis import given
from hypothesis import strategies as st

import correlation_id

ids = st.text(alphabet=correlation_id.ALPHABET, min_size=7, max_size=7).map(lambda s: "O-" + s)


def test_new_id_has_the_format():
    drawn = {correlation_id.new_id() for _ in range(1000)}
    assert all(correlation_id.is_valid(value) for value in drawn)
    assert len(drawn) == 1000


@given(ids)
def test_find_returns_the_id_in_the_message(value):
    message = f"Reference: {value} (Please send this reference number...)"
    assert correlation_id.find(message) == value


@given(
    ids,
    st.sampled_from(["", " ", "\n", "(", "«", "*", '"', "ref:"]),
    st.sampled_from(["", " ", "\n", ")", "»", ".", "!", "*", ","]),
    st.sampled_from(["-", "\u2011", "\u2010", "\u2013", "\u2212", " - ", "\uff0d"]),
    st.sampled_from(["", "\u200b", "\u200d", "\ufeff", "\u2060"]),
    st.booleans(),
)
def test_find_survives_what_phones_do(value, before, after, hyphen, invisible, lower):
    head = "o" if lower else "O"
    mangled = f"{before}{head}{invisible}{hyphen}{value[2:5]}{invisible}{value[5:]}{after}"
    assert correlation_id.find(f"hi {mangled} thanks") == value


def test_find_ignores_ids_glued_to_words():
    assert correlation_id.find("TODO-aB3dE9zX") is None
    assert correlation_id.find("xO-aB3dE9z") is None
    assert correlation_id.find("no reference here") is None
    assert correlation_id.find("") is None
