"""Cleaning the widget's parameters: whatever comes in, nothing raises and no junk goes out."""

import re
from urllib.parse import urlencode

from hypothesis import given
from hypothesis import strategies as st

from widget_server.clicks.cleaning import (
    CLICK_ID_NAMES,
    attribution_params,
    clean_device_id,
    clean_url,
    query_args,
)

JUNK = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffd]")


@given(st.binary(max_size=300))
def test_any_query_string_decodes(raw):
    assert all(isinstance(value, str) for value in query_args(raw).values())


@given(st.text(max_size=300))
def test_any_text_is_a_clean_url_or_nothing(text):
    url = clean_url(text)
    assert url is None or (url == text.strip() and url.lower().startswith(("http://", "https://")))


def test_url_is_trimmed():
    assert clean_url("  https://shop.example/ ") == "https://shop.example/"
    assert clean_url("   ") is None


@given(st.text(max_size=200))
def test_any_device_id_is_visible_ascii_or_nothing(text):
    device_id = clean_device_id(text)
    assert device_id is None or re.fullmatch(r"[!-~]{1,128}", device_id)


@given(st.dictionaries(st.text(max_size=20), st.text(max_size=40), max_size=8))
def test_attribution_params_hold_no_junk(pairs):
    params = attribution_params("https://shop.example/?" + urlencode(pairs))
    for name, value in params.items():
        assert name.startswith("utm_") or name in CLICK_ID_NAMES.values()
        assert value and not JUNK.search(value)


def test_first_value_wins_and_case_folds():
    url = "https://s.example/?UTM_SOURCE=a&utm_source=b&FBCLID=f&sccid=s&gclid=&msclkid=m"
    assert attribution_params(url) == {
        "utm_source": "a",
        "fbclid": "f",
        "ScCid": "s",
        "msclkid": "m",
    }


def test_params_in_the_fragment_are_not_read():
    assert attribution_params("https://s.example/#utm_source=a") == {}


def test_query_args_keep_raw_utf8_and_flag_bad_bytes():
    args = query_args(b"device_id=%FF&ref=caf%C3%A9&x=1&x=2")
    assert JUNK.search(args["device_id"])
    assert args["ref"] == "café"
    assert args["x"] == "1"
