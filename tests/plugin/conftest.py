"""Fixtures for the plugin suite: real processes on 127.0.0.1, started once per run.

The widget server runs from the server env (.venv), Rasa and the action server from the bot env
(.venv-bot); a small HTTP server stands in for Meta's Graph API and records what it is sent.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
import requests
from graph_stub import GraphStub

ROOT = Path(__file__).resolve().parents[2]
BOT = ROOT / "examples" / "bot"
BOT_BIN = Path(sys.executable).parent
SERVER_BIN = ROOT / ".venv" / "bin"
MODEL_CACHE = Path(tempfile.gettempdir()) / "wa-handoff-bot-models"
QUIET = {"TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false", "PYTHONUNBUFFERED": "1"}
SECRETS = {
    "verify_token": "verify-me",
    "app_secret": "app-secret-for-tests",
    "access_token": "graph-token-for-tests",
    "phone_number_id": "1098765432",
}


def pytest_configure(config):
    """Fail the run at once, with the fix, when an environment is missing."""
    try:
        import rasa  # noqa: F401
        import rasa_sdk  # noqa: F401
    except ImportError as exc:
        raise pytest.UsageError(f"the bot env is missing ({exc}): run `make setup-bot`") from exc
    if not (SERVER_BIN / "flask").exists():
        raise pytest.UsageError(f"the server env is missing ({SERVER_BIN}): run `make setup`")


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A subprocess with its output in a log file, stopped for sure at the end."""

    def __init__(self, name: str, args: list[str], env: dict[str, str], logs: Path) -> None:
        self.name, self.args, self.env = name, args, {**os.environ, **QUIET, **env}
        self.log_path = logs / f"{name}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, ready_url: str, timeout: float) -> Process:
        """Start the process and wait until ready_url answers, or fail with its log."""
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        self.proc = subprocess.Popen(self.args, env=self.env, stdout=log, stderr=log, cwd=ROOT)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"{self.name} exited with {self.proc.returncode}:\n{self.log()}")
            try:
                if requests.get(ready_url, timeout=1).status_code < 500:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"{self.name} not ready at {ready_url} after {timeout} s:\n{self.log()}")

    def stop(self) -> None:
        """Terminate the process, killing it if it lingers."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)

    def log(self) -> str:
        """Return the end of the process output."""
        return self.log_path.read_text(errors="replace")[-4000:]


def run(args: list[str], env: dict[str, str]) -> str:
    """Run a command to completion; return its stdout or fail with its output."""
    done = subprocess.run(
        args, env={**os.environ, **QUIET, **env}, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return done.stdout


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


class WidgetServer:
    """The widget server from the server env, on SQLite, with one site and one API key."""

    SCOPES = ("correlations:write", "attribution:read", "attribution:write")

    def __init__(self, workdir: Path, logs: Path) -> None:
        flask = [str(SERVER_BIN / "flask"), "--app", "widget_server"]
        env = {"WIDGET_DATABASE_URL": f"sqlite:///{workdir / 'w.db'}"}
        run([*flask, "db", "upgrade"], env)
        site = [*flask, "sites", "create", "--name", "Shop", "--whatsapp-number", "15551234567"]
        self.site_key = json.loads(run([*site, "--json"], env))["site_key"]
        scopes = [arg for scope in self.SCOPES for arg in ("--scope", scope)]
        key = [*flask, "keys", "create", "--site", self.site_key, *scopes, "--json"]
        self.api_key = json.loads(run(key, env))["api_key"]
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        serve = [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--without-threads"]
        self.process = Process("widget-server", serve, env, logs)

    def start(self) -> None:
        """Serve, and wait until /healthz answers."""
        self.process.start(self.url + "/healthz", timeout=60)

    def stop(self) -> None:
        """Stop serving (the database stays)."""
        self.process.stop()

    def click(self, page_url: str, device_id: str | None = None) -> str:
        """Click the widget as a new device would; return the correlation ID issued."""
        answer = requests.get(
            f"{self.url}/c/{self.site_key}",
            params={"device_id": device_id or uuid.uuid4().hex, "url": page_url},
            headers={"Accept": "application/json"},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["correlation_id"]

    def attribution(self, reference: str) -> requests.Response:
        """GET the attribution row of one reference."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        path = f"{self.url}/integrations/external/attribution/{reference}"
        return requests.get(path, headers=headers, timeout=5)


@pytest.fixture(scope="session")
def widget_server(tmp_path_factory, logs):
    """Yield a running widget server for the whole run."""
    server = WidgetServer(tmp_path_factory.mktemp("widget"), logs)
    server.start()
    yield server
    server.stop()


def bot_digest() -> str:
    """Return a hash of the example bot's training files and the Rasa version."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    for path in sorted([BOT / "config.yml", BOT / "domain.yml", *(BOT / "data").rglob("*.yml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def model(tmp_path_factory) -> Path:
    """Return the trained example bot, training it only when its files changed."""
    cached = MODEL_CACHE / f"{bot_digest()}.tar.gz"
    if not cached.exists():
        out = tmp_path_factory.mktemp("model")
        files = ["--config", "config.yml", "--domain", "domain.yml", "--data", "data"]
        train = [str(BOT_BIN / "rasa"), "train", *files, "--out", str(out)]
        cache = str(MODEL_CACHE / ".rasa-cache")
        subprocess_env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": cache}
        done = subprocess.run(
            [*train, "--fixed-model-name", "bot"], cwd=BOT, env=subprocess_env, capture_output=True
        )
        if done.returncode != 0:
            pytest.fail(f"rasa train failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
        MODEL_CACHE.mkdir(exist_ok=True)
        shutil.move(out / "bot.tar.gz", cached)
    return cached


@pytest.fixture(scope="session")
def action_server(widget_server, logs) -> str:
    """Yield the URL of a running `rasa run actions --actions plugin.actions`."""
    port = free_port()
    env = {"WA_HANDOFF_SERVER_URL": widget_server.url, "WA_HANDOFF_API_KEY": widget_server.api_key}
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
def rasa_server(model, action_server, widget_server, rasa_graph, tmp_path_factory, logs) -> str:
    """Yield the webhook URL of a running `rasa run` with the WhatsApp channel."""
    workdir = tmp_path_factory.mktemp("rasa")
    channel = {
        **SECRETS,
        "graph_url": rasa_graph.url,
        "server_url": widget_server.url,
        "server_api_key": widget_server.api_key,
    }
    (workdir / "credentials.yml").write_text(json.dumps({"plugin.whatsapp.WhatsAppInput": channel}))
    endpoints = {"action_endpoint": {"url": f"{action_server}/webhook"}}
    (workdir / "endpoints.yml").write_text(json.dumps(endpoints))
    port = free_port()
    args = [str(BOT_BIN / "rasa"), "run", "--model", str(model), "--port", str(port)]
    args += ["--credentials", str(workdir / "credentials.yml")]
    args += ["--endpoints", str(workdir / "endpoints.yml"), "--interface", "127.0.0.1"]
    process = Process("rasa", args, {}, logs)
    base = f"http://127.0.0.1:{port}/webhooks/whatsapp"
    process.start(base + "/", timeout=180)
    yield base + "/webhook"
    process.stop()
