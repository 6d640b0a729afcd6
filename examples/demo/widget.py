"""The widget server's part of the demo: its environment and the demo site, made by its CLI."""

import json
from pathlib import Path

from examples.ads_standin import DEFAULTS as ADS
from examples.demo.processes import Supervisor

REPO = Path(__file__).resolve().parents[2]
SERVER_BIN = REPO / ".venv" / "bin"
SCOPES = ("correlations:write", "attribution:read", "attribution:write")
DEMO_EMAIL = "demo@example.com"


def flask(*args: str) -> list[str]:
    """Build a `flask --app widget_server ...` command line."""
    return [str(SERVER_BIN / "flask"), "--app", "widget_server", *args]


def server_env(workdir: Path) -> dict:
    """Return the environment of the widget server, its worker and its CLI in the demo."""
    return {
        "WIDGET_DATABASE_URL": "sqlite:///" + str(workdir / "widget.db"),
        "WIDGET_WEBHOOK_ALLOW_PRIVATE": "true",
        "WIDGET_WEBHOOK_POLL_INTERVAL": "0.5",
        "WIDGET_DASHBOARD_COOKIE_SECURE": "false",  # the demo serves plain http on 127.0.0.1
        "PYTHONUNBUFFERED": "1",
    }


def create_site(
    supervisor: Supervisor,
    workdir: Path,
    whatsapp_url: str,
    receiver_url: str,
    number: str,
    ads_url: str,
    waba_id: str,
) -> dict:
    """Migrate the database; create the site, a key, a webhook, destinations and a dashboard
    user; return them."""
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
    for kind, *options in destinations(workdir, ads_url, waba_id):
        cli("destinations", "add", "--site", key, "--kind", kind, "--api-base", ads_url, *options)
    user = cli("users", "create", "--email", DEMO_EMAIL, "--site", key)
    return {"key": key, "api_key": api_key["api_key"], "webhook_secret": hook["secret"],
            "login": {"email": user["email"], "password": user["password"]}}  # fmt: skip


def destinations(workdir: Path, ads_url: str, waba_id: str) -> list[list[str]]:
    """Return the demo's four destinations, with the ad-platform stand-in's ids and secrets."""
    credentials = workdir / "google-credentials.json"
    credentials.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": ADS["GOOGLE_CLIENT_ID"],
                "client_secret": ADS["GOOGLE_CLIENT_SECRET"],
                "refresh_token": ADS["GOOGLE_REFRESH_TOKEN"],
                "token_uri": f"{ads_url}/token",
            }
        )
    )
    meta = ["--dataset-id", "300000000000003", "--access-token", ADS["META_ACCESS_TOKEN"]]
    return [
        ["meta_messaging", *meta, "--waba-id", waba_id],
        ["meta_web", *meta],
        ["google_ads", "--customer-id", "123-456-7890", "--conversion-action-id", "400000004",
         "--credentials-file", str(credentials), "--hashed-phone"],
        ["ga4", "--measurement-id", "G-DEMO0001", "--api-secret", ADS["GA4_API_SECRET"]],
    ]  # fmt: skip
