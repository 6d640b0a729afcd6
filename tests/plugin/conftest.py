"""Fixtures for the plugin suite: real processes on 127.0.0.1, started once per run.

The widget server runs from the server env (.venv), Rasa and the action server from the bot env
(.venv-bot); a small HTTP server stands in for Meta's Graph API and records what it is sent.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from support import (
    BOT,
    BOT_BIN,
    METADATA_KEY,
    SECRETS,
    SERVER_BIN,
    Process,
    Rasa,
    WidgetServer,
    free_port,
    rasa_run,
    trained,
)
from support.graph_stub import GraphStub


def pytest_configure(config):
    """Fail the run at once, with the fix, when an environment is missing."""
    try:
        import rasa  # noqa: F401
        import rasa_sdk  # noqa: F401
    except ImportError as exc:
        raise pytest.UsageError(f"the bot env is missing ({exc}): run `make setup-bot`") from exc
    if not (SERVER_BIN / "flask").exists():
        raise pytest.UsageError(f"the server env is missing ({SERVER_BIN}): run `make setup`")


@pytest.fixture
def graph():
    """Yield a fresh Graph API stand-in."""
    stub = GraphStub()
    yield stub
    stub.close()


@pytest.fixture(scope="session")
def redis_url():
    """Return the local Redis URL, failing with the fix when Redis is not running."""
    url = "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.ConnectionError as exc:
        fix = "start it with `redis-server --daemonize yes`"
        pytest.fail(f"Redis is not running at {url} ({exc}): {fix}")
    return url


@pytest.fixture(scope="session")
def logs(tmp_path_factory) -> Path:
    """Return the directory that keeps the processes' logs."""
    return tmp_path_factory.mktemp("logs")


@pytest.fixture(scope="session")
def widget_server(tmp_path_factory, logs):
    """Yield a running widget server for the whole run."""
    server = WidgetServer(tmp_path_factory.mktemp("widget"), logs)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def model(tmp_path_factory) -> Path:
    """Return the trained example bot, training it only when its files changed."""
    return trained(BOT, "bot", tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def action_server(widget_server, logs) -> str:
    """Yield the URL of a running `rasa run actions --actions plugin.actions`."""
    port = free_port()
    env = {
        "WA_HANDOFF_SERVER_URL": widget_server.url,
        "WA_HANDOFF_ACTION_API_KEYS": widget_server.api_key,
        "WA_HANDOFF_METADATA_KEY": METADATA_KEY,
    }
    args = [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "plugin.actions"]
    process = Process("action-server", [*args, "--port", str(port)], env, logs)
    process.start(f"http://127.0.0.1:{port}/health", timeout=90)
    yield f"http://127.0.0.1:{port}"
    process.stop()


@pytest.fixture(scope="session")
def rasa_graph():
    """Yield the Graph API stand-in the running Rasa sends its replies to."""
    stub = GraphStub()
    yield stub
    stub.close()


@pytest.fixture(scope="session")
def rasa(
    model, action_server, widget_server, rasa_graph, redis_url, tmp_path_factory, logs
) -> Iterator[Rasa]:
    """Yield a running `rasa run` with the WhatsApp channel (on Redis) and its HTTP API."""
    workdir = tmp_path_factory.mktemp("rasa")
    channel = {
        **SECRETS,
        "graph_url": rasa_graph.url,
        "server_url": widget_server.url,
        "server_api_key": widget_server.api_key,
        "metadata_key": METADATA_KEY,
        "redis_url": redis_url,
    }
    # Rasa's REST channel beside it: the door a forger would use.
    credentials = {"plugin.whatsapp.WhatsAppInput": channel, "rest": None}
    (workdir / "credentials.yml").write_text(json.dumps(credentials))
    endpoints = {"action_endpoint": {"url": f"{action_server}/webhook"}}
    (workdir / "endpoints.yml").write_text(json.dumps(endpoints))
    running = Rasa(rasa_run(model, workdir, logs))
    yield running
    running.process.stop()


@pytest.fixture(scope="session")
def rasa_server(rasa) -> str:
    """Return the webhook URL of the running `rasa run`."""
    return rasa.webhook
