"""The correlation ID format, shared by the server and the plugin."""

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

import correlation_id

ids = st.text(alphabet=correlation_id.ALPHABET, min_size=7, max_size=7).map(lambda s: "O-" + s)


def test_new_id_has_the_format():
    drawn = {correlation_id.new_id() for _ in range(1000)}
    assert all(correlation_id.is_valid(value) for value in drawn)
    assert len(drawn) == 1000


def test_new_id_draws_every_letter_equally_often():
    letters = Counter(letter for _ in range(20000) for letter in correlation_id.new_id()[2:])
    # 2258 of each expected, give or take 48: taking bytes modulo 62 without dropping the top
    # eight would make the first eight letters about 2730.
    assert set(letters) == set(correlation_id.ALPHABET)
    assert all(abs(count - 140000 / 62) < 300 for count in letters.values())


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


# What visitors and phones do to the reference in the message the plugin reads it from.
INVISIBLE = ["", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
HYPHENS = ["-", "\u2010", "\u2011", "\u2012", "\u2013", "\u2014", "\u2212", "\ufe63", "\uff0d"]
SPACES = ["", " ", "\u00a0", "\n", "\r\n", "\t"]
AROUND = ["", " ", "\n", "(", ")", "[", "]", "«", "»", '"', "'", "*", "_", ".", ",", ":", "!", "?"]


@given(
    reference=ids,
    before=st.sampled_from(AROUND),
    after=st.sampled_from(AROUND),
    hyphen=st.sampled_from(HYPHENS),
    gap=st.sampled_from(SPACES),
    invisible=st.lists(st.sampled_from(INVISIBLE), min_size=2, max_size=2),
    cut=st.integers(min_value=0, max_value=7),
    lower=st.booleans(),
    prose=st.sampled_from(["", "Hi! ", "Reference:", "Hello\n\nReference: ", "ref "]),
)
def test_find_recovers_mangled_references(
    reference, before, after, hyphen, gap, invisible, cut, lower, prose
):
    body = reference[2:]
    head = "o" if lower else "O"
    mangled = f"{head}{invisible[0]}{gap}{hyphen}{gap}{body[:cut]}{invisible[1]}{body[cut:]}"
    text = f"{prose}{before}{mangled}{after} (Please send this message as is)"
    assert correlation_id.find(text) == reference


@given(ids, st.sampled_from(["Reference: {} (x)", "{}", "line one\n{}\nline three"]))
def test_find_returns_the_canonical_form_of_fullwidth_text(reference, template):
    fullwidth = reference.translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    assert correlation_id.find(template.format(fullwidth)) == reference


@given(st.text())
def test_find_returns_a_valid_id_or_none_for_any_text(text):
    found = correlation_id.find(text)
    assert found is None or correlation_id.is_valid(found)


def test_find_takes_the_first_of_two_references():
    assert correlation_id.find("O-aaaaaaa then O-bbbbbbb") == "O-aaaaaaa"


def test_find_rejects_near_misses():
    for text in ("O-abc123", "O-abcdefgh", "XO-abcdefg", "O-abcdefgX1", "O_abcdefg", "10-abcdefg"):
        assert correlation_id.find(text) is None, text


# Every format character (category Cf) a phone or a bidi-aware keyboard may slip in.
FORMAT = ["\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066"]
FORMAT += ["\u2067", "\u2068", "\u2069", "\u061c", "\u200b", "\u2060", "\ufeff", "\u00ad"]
# What `O` becomes on other keyboards: zero, Cyrillic and Greek O, both cases.
HEADS = ["O", "o", "0", "\u041e", "\u043e", "\u039f", "\u03bf"]


@given(
    reference=ids,
    marks=st.lists(st.sampled_from(FORMAT), min_size=3, max_size=3),
    cut=st.integers(min_value=0, max_value=7),
    head=st.sampled_from(HEADS),
)
def test_find_drops_format_characters_and_accepts_look_alikes_of_o(reference, marks, cut, head):
    body = reference[2:]
    mangled = f"{head}{marks[0]}-{marks[1]}{body[:cut]}{marks[2]}{body[cut:]}"
    assert correlation_id.find(f"Reference: {mangled} (Please send)") == reference


def test_find_reads_the_bidi_marked_references_phones_send():
    assert correlation_id.find("Reference: O\u200f-aB3dE9z") == "O-aB3dE9z"
    assert correlation_id.find("Reference: O-\u200eaB3dE9z") == "O-aB3dE9z"
    assert correlation_id.find("Reference: 0-aB3dE9z") == "O-aB3dE9z"


@given(st.lists(ids, min_size=1, max_size=4), st.sampled_from([" ", "\n", ", then ", " / "]))
def test_find_all_returns_every_reference_in_order_without_repeats(references, glue):
    text = "the old one " + glue.join(references) + glue + references[0]
    assert correlation_id.find_all(text) == list(dict.fromkeys(references))


def test_find_all_lists_an_unknown_reference_before_the_right_one():
    text = "the old one O-Zz9Zz9Z, the new one is O-aB3dE9z"
    assert correlation_id.find_all(text) == ["O-Zz9Zz9Z", "O-aB3dE9z"]


@given(st.text())
def test_find_all_returns_only_valid_ids_for_any_text(text):
    assert all(correlation_id.is_valid(found) for found in correlation_id.find_all(text))
