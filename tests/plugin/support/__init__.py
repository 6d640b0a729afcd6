"""What the plugin suite shares: paths, real processes on 127.0.0.1, the widget server, trackers.

The widget server runs from the server env (.venv), Rasa and the action server from the bot env
(.venv-bot). Fixtures live in conftest.py; tests import helpers from here, never from conftest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

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
        self.url = ""

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


class Rasa:
    """A running `rasa run` (see rasa_run) with the WhatsApp channel and the HTTP API."""

    def __init__(self, process: Process) -> None:
        self.process, self.url = process, process.url
        self.webhook = f"{self.url}/webhooks/whatsapp/webhook"

    def restart(self) -> None:
        """Stop and start again on the same port, as a deploy would (Redis stays)."""
        self.process.stop()
        self.process.start(f"{self.url}/webhooks/whatsapp/", timeout=180)

    def tracker(self, sender_id: str) -> dict[str, Any]:
        """Return the conversation's tracker from Rasa's HTTP API."""
        answer = requests.get(f"{self.url}/conversations/{sender_id}/tracker", timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def user_turns(self, sender_id: str) -> list[dict[str, Any]]:
        """Return the user events of one conversation."""
        return [e for e in self.tracker(sender_id)["events"] if e["event"] == "user"]


SCOPES = ("correlations:write", "attribution:read", "attribution:write")


class WidgetServer:
    """The widget server from the server env, on SQLite, with one site and one API key."""

    def __init__(self, workdir: Path, logs: Path) -> None:
        self.flask = [str(SERVER_BIN / "flask"), "--app", "widget_server"]
        self.database = workdir / "w.db"
        self.env = {"WIDGET_DATABASE_URL": f"sqlite:///{self.database}"}
        run([*self.flask, "db", "upgrade"], self.env)
        self.site_key, self.api_key = self.add_site("Shop")
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        serve = [*self.flask, "run", "--host", "127.0.0.1", "--port", str(port)]
        self.process = Process("widget-server", [*serve, "--without-threads"], self.env, logs)

    def add_site(self, name: str, scopes: tuple[str, ...] = SCOPES) -> tuple[str, str]:
        """Create a site and an API key of it with scopes; return (site key, API key)."""
        site = [*self.flask, "sites", "create", "--name", name, "--whatsapp-number", "15551234567"]
        site_key = json.loads(run([*site, "--json"], self.env))["site_key"]
        options = [arg for scope in scopes for arg in ("--scope", scope)]
        key = [*self.flask, "keys", "create", "--site", site_key, *options, "--json"]
        return site_key, json.loads(run(key, self.env))["api_key"]

    def start(self) -> None:
        """Serve, and wait until /healthz answers."""
        self.process.start(self.url + "/healthz", timeout=60)

    def stop(self) -> None:
        """Stop serving (the database stays)."""
        self.process.stop()

    def click(
        self, page_url: str, device_id: str | None = None, site_key: str | None = None
    ) -> str:
        """Click the widget as a new device would; return the correlation ID issued."""
        answer = self.clicked(page_url, device_id, site_key)
        return answer["correlation_id"]

    def clicked(
        self, page_url: str, device_id: str | None = None, site_key: str | None = None
    ) -> dict[str, str]:
        """Click the widget; return the server's answer (correlation_id, whatsapp_url)."""
        answer = requests.get(
            f"{self.url}/c/{site_key or self.site_key}",
            params={"device_id": device_id or uuid.uuid4().hex, "url": page_url},
            headers={"Accept": "application/json"},
            timeout=5,
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    def prefilled(self, page_url: str, site_key: str | None = None) -> tuple[str, str]:
        """Click the widget; return the reference and the message it pre-fills in WhatsApp."""
        answer = self.clicked(page_url, site_key=site_key)
        [text] = parse_qs(urlsplit(answer["whatsapp_url"]).query)["text"]
        return answer["correlation_id"], text

    def attribution(self, reference: str, api_key: str | None = None) -> requests.Response:
        """GET the attribution row of one reference."""
        headers = {"Authorization": f"Bearer {api_key or self.api_key}"}
        path = f"{self.url}/integrations/external/attribution/{reference}"
        return requests.get(path, headers=headers, timeout=5)

    def rows(self) -> list[dict[str, Any]]:
        """Return the site's rows as GET /integrations/external/attribution lists them."""
        headers = {"Authorization": f"Bearer {self.api_key}"}
        path = f"{self.url}/integrations/external/attribution"
        answer = requests.get(path, headers=headers, params={"limit": 100}, timeout=5)
        assert answer.status_code == 200, answer.text
        return answer.json()["data"]

    def stored(self, reference: str) -> dict[str, Any]:
        """Return what the database holds about a session beyond its row (the WhatsApp user)."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            db.row_factory = sqlite3.Row
            found = db.execute(
                "SELECT whatsapp_id, whatsapp_phone, profile_name, correlated_at"
                " FROM web_session WHERE correlation_id = ?",
                (reference,),
            ).fetchone()
        return dict(found)

    def events(self, event_type: str, reference: str) -> list[dict[str, Any]]:
        """Return the outbox events of one type about one session, as the worker would send them."""
        with contextlib.closing(sqlite3.connect(self.database)) as db:
            rows = db.execute("SELECT data FROM webhook_event WHERE event_type = ?", (event_type,))
            found = [json.loads(data) for (data,) in rows]
        return [data for data in found if data.get("correlation_id") == reference]


def bot_digest(bot_dir: Path = BOT) -> str:
    """Return a hash of a bot's training files (config, domain, data) and the Rasa version."""
    import rasa

    digest = hashlib.sha256(rasa.__version__.encode())
    files = [bot_dir / "config.yml", *(bot_dir / "data").rglob("*.yml")]
    domain = bot_dir / "domain"
    files += list(domain.rglob("*.yml")) if domain.is_dir() else [bot_dir / "domain.yml"]
    for path in sorted(files):
        digest.update(str(path.relative_to(bot_dir)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def trained(bot_dir: Path, name: str, scratch: Path) -> Path:
    """Return the model of the bot, training it only when its files changed since last time."""
    cached = MODEL_CACHE / f"{name}-{bot_digest(bot_dir)}.tar.gz"
    if cached.exists():
        return cached
    domain = "domain" if (bot_dir / "domain").is_dir() else "domain.yml"
    files = ["--config", "config.yml", "--domain", domain, "--data", "data"]
    train = [str(BOT_BIN / "rasa"), "train", *files, "--out", str(scratch)]
    env = {**os.environ, **QUIET, "RASA_CACHE_DIRECTORY": str(MODEL_CACHE / ".rasa-cache")}
    done = subprocess.run(
        [*train, "--fixed-model-name", name], cwd=bot_dir, env=env, capture_output=True
    )
    if done.returncode != 0:
        pytest.fail(f"rasa train failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    MODEL_CACHE.mkdir(exist_ok=True)
    shutil.move(scratch / f"{name}.tar.gz", cached)
    return cached


def rasa_run(model: Path, workdir: Path, logs: Path, env: dict[str, str] | None = None) -> Process:
    """Start `rasa run` of model with workdir's credentials.yml and endpoints.yml, and its API."""
    port = free_port()
    args = [str(BOT_BIN / "rasa"), "run", "--model", str(model), "--port", str(port)]
    args += ["--credentials", str(workdir / "credentials.yml")]
    args += ["--endpoints", str(workdir / "endpoints.yml"), "--interface", "127.0.0.1"]
    args += ["--enable-api"]  # the tests read trackers over Rasa's HTTP API
    process = Process(f"rasa-{workdir.name}", args, env or {}, logs)
    process.url = f"http://127.0.0.1:{port}"
    process.start(process.url + "/webhooks/whatsapp/", timeout=180)
    return process


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


SENDER = "15550001111"
METADATA_KEY = "metadata-key-for-tests"


def tracker(
    text: str,
    metadata: dict[str, Any] | None = None,
    slots: dict[str, Any] | None = None,
    *,
    channel: str = "whatsapp",
    message_id: str = "wamid.latest",
    key: str | None = None,
    events: list[dict[str, Any]] | None = None,
) -> Tracker:
    """Return a tracker whose latest user message is text with metadata, sealed with key."""
    from rasa_sdk import Tracker

    from plugin import seal

    metadata = dict(metadata or {})
    if key:
        metadata[seal.FIELD] = seal.seal(key, SENDER, message_id, metadata)
    user = {"event": "user", "text": text, "metadata": metadata}
    user.update({"input_channel": channel, "message_id": message_id})
    latest = {"text": text, "intent": {"name": "greet"}, "entities": [], "metadata": metadata}
    history = [*(events or []), user]
    return Tracker(SENDER, slots or {}, latest, history, False, None, {}, "action_listen")
