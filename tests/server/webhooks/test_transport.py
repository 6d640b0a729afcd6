"""The delivery session: the guard at connect time, no environment proxies, our User-Agent."""

import pytest
import requests

from widget_server.webhooks.guard import BlockedDestination
from widget_server.webhooks.transport import USER_AGENT, new_session


def test_the_session_ignores_environment_proxies_and_names_itself(monkeypatch, receiver):
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # a proxy that would refuse
    session = new_session(allow_private=True)
    assert session.trust_env is False
    response = session.post(receiver.url, data=b"{}", timeout=5)
    assert response.status_code == 200
    assert receiver.received[-1][0]["user-agent"] == USER_AGENT


def test_loopback_is_refused_when_private_targets_are_not_allowed(receiver):
    with pytest.raises((BlockedDestination, requests.ConnectionError)) as raised:
        new_session().post(receiver.url, data=b"{}", timeout=5)
    assert "loopback" in str(raised.value)
    assert receiver.arrived == []
