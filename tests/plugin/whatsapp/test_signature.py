"""Meta's X-Hub-Signature-256 and the verify token, checked in constant time."""

import hashlib
import hmac

from plugin.whatsapp.signature import is_signed, same_token, sign

BODY = b'{"object":"whatsapp_business_account"}'


def test_sign_is_sha256_equals_the_hex_hmac_of_the_raw_body():
    expected = hmac.new(b"secret", BODY, hashlib.sha256).hexdigest()
    assert sign(BODY, "secret") == f"sha256={expected}"


def test_only_the_right_signature_of_these_very_bytes_is_accepted():
    header = sign(BODY, "secret")
    assert is_signed(BODY, header, "secret")
    assert is_signed(BODY, f"{header}\r\n", "secret")  # a proxy's trailing line end
    assert not is_signed(BODY + b" ", header, "secret")
    assert not is_signed(BODY, header, "another secret")
    assert not is_signed(BODY, header.replace("sha256=", "sha1="), "secret")
    assert not is_signed(BODY, header.upper(), "secret")
    for missing in (None, "", "sha256="):
        assert not is_signed(BODY, missing, "secret")


def test_same_token_needs_the_exact_token():
    assert same_token("verify-me", "verify-me")
    assert not same_token("verify-m", "verify-me")
    assert not same_token(None, "verify-me")
    assert not same_token("", "verify-me")
