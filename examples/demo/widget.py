"""The widget server's part of the demo: its environment and the demo site, made by its CLI."""

import json
from pathlib import Path

from examples.demo.processes import Supervisor

REPO = Path(__file__).resolve().parents[2]
SERVER_BIN = REPO / ".venv" / "bin"
SCOPES = ("correlations:write", "attribution:read", "attribution:write")


def flask(*args: str) -> list[str]:
    """Build a `flask --app widget_server ...` command line."""
    return [str(SERVER_BIN / "flask"), "--app", "widget_server", *args]


def server_env(workdir: Path) -> dict:
    """Return the environment of the widget server, its worker and its CLI in the demo."""
    return {
        "WIDGET_DATABASE_URL": "sqlite:///" + str(workdir / "widget.db"),
        "WIDGET_WEBHOOK_ALLOW_PRIVATE": "true",
        "WIDGET_WEBHOOK_POLL_INTERVAL": "0.5",
        "PYTHONUNBUFFERED": "1",
    }


def create_site(
    supervisor: Supervisor, workdir: Path, whatsapp_url: str, receiver_url: str, number: str
) -> dict:
    """Migrate the database, create the site, an API key and a webhook endpoint; return them."""
    env = server_env(workdir)

    def cli(*args: str) -> dict:
        return json.loads(supervisor.run("setup", flask(*args, "--json"), env, REPO))

    supervisor.run("setup", flask("db", "upgrade"), env, REPO)
    site = cli(
        "sites", "create", "--name", "Demo shop", "--whatsapp-number", number,
        "--whatsapp-base-url", whatsapp_url,
    )  # fmt: skip
    key = site["site_key"]
    api_key = cli("keys", "create", "--site", key, *[f"--scope={scope}" for scope in SCOPES])
    hook = cli("webhooks", "add", "--site", key, "--url", receiver_url)
    return {"key": key, "api_key": api_key["api_key"], "webhook_secret": hook["secret"]}
