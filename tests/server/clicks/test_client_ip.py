"""The client address, trusting X-Forwarded-For only as far as the configured proxies."""

import pytest

from widget_server.clicks.client_ip import client_ip


@pytest.mark.parametrize(
    ("remote", "forwarded", "proxies", "expected"),
    [
        ("10.0.0.1", "203.0.113.9", 0, "10.0.0.1"),  # no proxy: the header is anyone's
        ("10.0.0.1", "203.0.113.9", 1, "203.0.113.9"),
        ("10.0.0.1", "198.51.100.1, 203.0.113.9", 1, "203.0.113.9"),  # the left was the client's
        ("10.0.0.1", "198.51.100.1, 203.0.113.9", 2, "198.51.100.1"),
        ("10.0.0.1", "203.0.113.9", 2, "10.0.0.1"),  # too few hops
        ("10.0.0.1", "not-an-ip", 1, "10.0.0.1"),
        ("10.0.0.1", " 2001:db8::1 ", 1, "2001:db8::1"),
        (None, None, 0, None),
        ("garbage", None, 0, None),
    ],
)
def test_client_ip(remote, forwarded, proxies, expected):
    assert client_ip(remote, forwarded, proxies) == expected


def test_an_address_too_long_for_the_column_falls_back():
    zoned = "fe80::1%" + "x" * 60
    assert client_ip("10.0.0.1", zoned, 1) == "10.0.0.1"
