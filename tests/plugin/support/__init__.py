"""What the plugin suite shares: paths, real processes on 127.0.0.1, the widget server, trackers.

The widget server runs from the server env (.venv), Rasa and the action server from the bot env
(.venv-bot). Fixtures live in conftest.py; tests import helpers from here, never from conftest.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import requests

if TYPE_CHECKING:  # imported late, so a missing bot env gets conftest's message
    from rasa_sdk import Tracker

ROOT = Path(__file__).resolve().parents[3]
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


def bot_digest() -> str:
    """Return a hash of the example bot's training files and the Rasa version."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    for path in sorted([BOT / "config.yml", BOT / "domain.yml", *(BOT / "data").rglob("*.yml")]):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()[:16]


ROW = {
    "correlation_id": "O-aB3dE9z",
    "device_id": "d1",
    "created_at": "2026-11-28T12:00:00Z",
    "correlated_at": "2026-11-28T12:01:00Z",
    "click_url": "https://shop.example/?utm_source=google&utm_campaign=spring&gclid=G1",
    "parsed_params": {"utm_source": "google", "utm_campaign": "spring", "gclid": "G1"},
    "ip_address": "203.0.113.9",
    "user_agent": "Mozilla/5.0",
    "lead_type": None,
}


def tracker(
    text: str, metadata: dict[str, Any] | None = None, slots: dict[str, Any] | None = None
) -> Tracker:
    """Return a tracker whose latest user message is text with metadata."""
    from rasa_sdk import Tracker

    latest = {"text": text, "intent": {"name": "greet"}, "entities": [], "metadata": metadata or {}}
    events = [{"event": "user", "text": text, "metadata": metadata or {}}]
    return Tracker("15550001111", slots or {}, latest, events, False, None, {}, "action_listen")
