"""correlation_id.find over what visitors and phones do to the reference."""

from hypothesis import given
from hypothesis import strategies as st

import correlation_id

ids = st.text(alphabet=correlation_id.ALPHABET, min_size=7, max_size=7).map(lambda s: "O-" + s)
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
    for text in ("O-abc123", "O-abcdefgh", "XO-abcdefg", "O-abcdefgX1", "O_abcdefg", "0-abcdefg"):
        assert correlation_id.find(text) is None, text
