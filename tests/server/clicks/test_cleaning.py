"""Cleaning the widget's parameters: whatever comes in, nothing raises and no junk goes out."""

import re
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st

from widget_server.clicks.cleaning import (
    CLICK_ID_NAMES,
    attribution_params,
    clean_device_id,
    clean_page_url,
    clean_url,
    query_args,
    trim_url,
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


@pytest.mark.parametrize(
    "name",
    [
        "email", "EMAIL", "e-mail", "user_email", "phone", "tel", "name", "first_name",
        "lastName", "address", "token", "reset_token", "access_token", "accessToken", "password",
        "auth", "auth_code", "session", "session_id", "SESSIONID", "sid", "api_key", "code",
    ],
)  # fmt: skip
def test_parameters_that_carry_personal_data_are_trimmed(name):
    url = f"https://shop.example/p?{name}=secret&utm_source=x&page=2#{name}=secret"
    assert trim_url(url) == "https://shop.example/p?utm_source=x&page=2"


def test_utms_and_click_ids_are_always_kept_even_with_personal_words():
    url = "https://shop.example/?utm_name=a&UTM_Source=b&gclid=c&ScCid=d&msclkid=e&q=shoes"
    assert trim_url(url) == url


def test_a_sites_own_list_trims_more_in_any_case():
    url = "https://shop.example/?Order=9&member=7&q=shoes&utm_source=x"
    assert trim_url(url, ["order", "MEMBER"]) == "https://shop.example/?q=shoes&utm_source=x"


def test_encoding_and_order_of_kept_parameters_are_left_as_they_were():
    url = "https://shop.example/?q=a%20b&utm_source=n%C3%BC&q=c+d&email=x"
    assert trim_url(url) == "https://shop.example/?q=a%20b&utm_source=n%C3%BC&q=c+d"


def test_a_page_url_is_read_for_its_campaign_before_its_length_is_judged():
    url = "https://shop.example/p?utm_source=x&junk=" + "j" * 5000 + "&fbclid=F"
    assert clean_page_url(url) == (
        "https://shop.example/p?utm_source=x&fbclid=F",
        {"utm_source": "x", "fbclid": "F"},
    )


def test_a_page_url_too_long_even_when_cut_is_dropped_but_its_campaign_kept():
    url = "https://shop.example/" + "p" * 3000 + "?utm_source=x"
    assert clean_page_url(url) == (None, {"utm_source": "x"})


@pytest.mark.parametrize("junk", ["javascript:alert(1)", "/relative?utm_source=x", "", None])
def test_a_page_url_that_is_not_http_gives_nothing(junk):
    assert clean_page_url(junk) == (None, {})


@given(st.text())
def test_any_text_trims_to_a_clean_page_url_or_nothing(text):
    url, params = clean_page_url(text)
    assert url is None or (clean_url(url) == url and "#" not in url)
    assert isinstance(params, dict)


def test_a_long_referrer_loses_its_query_then_is_cut_short():
    from widget_server.clicks.cleaning import MAX_REFERRER, clean_referrer

    assert clean_referrer("https://google.com/search?q=a#top") == "https://google.com/search?q=a"
    query = "https://google.com/search?q=" + "a" * 600
    assert clean_referrer(query) == "https://google.com/search"
    long = "https://ref.example/" + "p" * 3000
    assert clean_referrer(long) is None  # over the URL limit: dropped like any junk
    assert len(clean_referrer("https://ref.example/" + "p" * 1500)) == MAX_REFERRER
    assert clean_referrer("javascript:alert(1)") is None


def test_a_stored_page_url_over_a_kilobyte_keeps_only_its_tracked_parameters():
    url = "https://shop.example/p?utm_source=x&q=" + "s" * 1100
    assert clean_page_url(url) == ("https://shop.example/p?utm_source=x", {"utm_source": "x"})
