"""The SSRF guard: refused before connecting unless the operator allows private targets."""

import subprocess

import pytest
import requests
from webhooks_support import Receiver, add_endpoint, deliveries, enqueue_many, run_once

from widget_server.webhooks import endpoints
from widget_server.webhooks.guard import BlockedDestination, blocked_reason, validate_url
from widget_server.webhooks.transport import new_session

BLOCKED = {
    "127.0.0.1": "loopback",
    "127.9.9.9": "loopback",
    "10.0.0.1": "private",
    "172.16.5.4": "private",
    "192.168.1.1": "private",
    "169.254.169.254": "link-local",
    "224.0.0.1": "multicast",
    "0.0.0.0": "unspecified",
    "240.0.0.1": "private",
    "100.64.0.1": "not globally routable",
    "::1": "loopback",
    "::": "unspecified",
    "fe80::1": "link-local",
    "fe80::1%eth0": "link-local",
    "fc00::1": "private",
    "ff02::1": "multicast",
    "::ffff:127.0.0.1": "loopback",
    "::ffff:10.0.0.1": "private",
    "2002:a00:1::1": "private",
    "64:ff9b::a00:1": "private",
}


@pytest.mark.parametrize(("address", "reason"), BLOCKED.items())
def test_non_public_addresses_are_refused(address, reason):
    assert reason in blocked_reason(address)


@pytest.mark.parametrize("address", ["8.8.8.8", "1.1.1.1", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_pass(address):
    assert blocked_reason(address) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "[::ffff:127.0.0.1]"])
def test_the_adapter_refuses_loopback_before_any_traffic(receiver, host):
    with pytest.raises(BlockedDestination, match="loopback"):
        new_session().post(f"http://{host}:{receiver.port}/hook", data=b"{}", timeout=2)
    assert receiver.received == []


def test_the_allow_flag_lets_loopback_through(receiver):
    assert new_session(allow_private=True).post(receiver.url, data=b"{}", timeout=2).ok
    assert len(receiver.received) == 1


@pytest.fixture
def certificate(tmp_path):
    """Make a self-signed certificate for the name localhost only; return (cert, key) paths."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    command = ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
               "-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost",
               "-addext", "subjectAltName=DNS:localhost"]  # fmt: skip
    try:
        subprocess.run(command, check=True, capture_output=True, timeout=60)
    except FileNotFoundError:
        pytest.fail("openssl is missing: apt-get install -y openssl")
    return str(cert), str(key)


def test_pinned_https_still_checks_the_certificate_against_the_host_name(certificate):
    receiver = Receiver(tls=certificate).start()
    session = new_session(allow_private=True)
    try:
        answer = session.post(
            f"https://localhost:{receiver.port}/hook", data=b"{}", timeout=5, verify=certificate[0]
        )
        assert answer.status_code == 200
        assert receiver.received[0][0]["host"] == f"localhost:{receiver.port}"
        # The certificate names localhost, not 127.0.0.1: verification follows the URL's host.
        with pytest.raises(requests.exceptions.SSLError):
            session.post(f"https://127.0.0.1:{receiver.port}/hook", data=b"{}", timeout=5,
                         verify=certificate[0])  # fmt: skip
    finally:
        receiver.stop()
    assert len(receiver.received) == 1


def test_the_worker_records_a_refusal_without_sending(app, site, receiver):
    add_endpoint(app, site, receiver.url)  # registered while the flag was on
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    enqueue_many(app, site, 1)
    run_once(app)
    [delivery] = deliveries(app)
    assert receiver.received == []
    assert delivery.state == "pending" and delivery.attempts == 1
    assert delivery.last_error == "refusing to connect to 127.0.0.1: loopback address"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.com/hook", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("http:///hook", "has no host"),
        ("https://user:pw@example.com/", "must not carry credentials"),
        ("https://example.com:99999/", "invalid port"),
        ("http://10.0.0.1/hook", "10.0.0.1: private address"),
        ("http://169.254.169.254/latest", "link-local address"),
        ("http://localhost:8080/", "loopback address"),
        ("http://[::ffff:10.0.0.1]/", "private address embedded in"),
        ("https://hooks.invalid/", "does not resolve"),
        ("https://example.com/" + "a" * 2000, "longer than 2000"),
    ],
)
def test_urls_are_validated_when_added(url, message):
    with pytest.raises(BlockedDestination, match=message):
        validate_url(url)


def test_the_allow_flag_accepts_private_urls_but_not_other_schemes():
    assert validate_url("http://127.0.0.1:9/hook", allow_private=True)
    with pytest.raises(BlockedDestination, match="http:// or https://"):
        validate_url("file:///etc/passwd", allow_private=True)


def test_adding_a_private_url_without_the_flag_fails(app, site):
    app.config["WEBHOOK_ALLOW_PRIVATE"] = False
    with app.app_context(), pytest.raises(endpoints.EndpointError, match="loopback"):
        endpoints.add(site, "http://127.0.0.1:9/hook", [])
