"""The whole handoff on one machine: widget server, webhooks, stand-in, Rasa, and the site."""

import json
import secrets
import shutil
from pathlib import Path

import requests

from examples.demo import bot, widget
from examples.demo.ports import Ports
from examples.demo.processes import StartupError, Supervisor
from examples.demo.widget import SERVER_BIN
from examples.wa_standin.webhook import verify_subscription

REPO = Path(__file__).resolve().parents[2]
BOT_BIN = REPO / ".venv-bot" / "bin"
MODEL_CACHE = REPO / "instance" / "demo-models"
BUSINESS_NUMBER = "15550001234"
PHONE_NUMBER_ID = "100000000000001"
WABA_ID = "200000000000002"
# A number phonenumbers calls valid, so that Google's destination gets the visitor's hashed phone.
VISITOR_WA_ID = "14155552671"
QUERY = "?utm_source=newsletter&utm_campaign=launch"


class Stack:
    """Start every service of the demo in order, remember how to reach them, stop them all."""

    def __init__(self, ports: Ports, workdir: Path, say=print, echo_webhooks=False):
        self.ports = ports
        self.echo_webhooks = echo_webhooks
        self.workdir = Path(workdir)
        self.say = say
        self.supervisor = Supervisor(self.workdir / "logs")
        names = ("app", "graph", "verify", "metadata")
        self.secrets = {name: secrets.token_hex(16) for name in names}
        self.state: dict = {}

    def url(self, service: str) -> str:
        """Return the base URL of a service."""
        return f"http://127.0.0.1:{getattr(self.ports, service)}"

    @property
    def standin_url(self) -> str:
        """Return where visitors chat; the same server plays the Graph API."""
        return self.url("standin")

    @property
    def webhook_url(self) -> str:
        """Return the bot's WhatsApp channel webhook, where the stand-in posts."""
        return self.url("rasa") + "/webhooks/whatsapp/webhook"

    @property
    def site_url(self) -> str:
        """Return the one URL to open: the example site, arriving from a campaign."""
        return self.url("site") + "/" + QUERY

    def start(self) -> dict:
        """Start everything and wait until it answers; return the state also written to disk."""
        for missing in [p for p in (SERVER_BIN / "python", BOT_BIN / "rasa") if not p.exists()]:
            raise StartupError(f"{missing} is missing: run `make setup setup-bot` first")
        taken = self.ports.taken()
        if taken:
            raise StartupError("\n".join(taken))
        self._clear_workdir()
        self.say(f"Starting the demo in {self.workdir} (logs in {self.supervisor.log_dir})")
        self.say("  widget server: creating the database, the demo site, a key and a webhook")
        self.say("  with conversion destinations for Meta, Google Ads and GA4 on their stand-in")
        site = widget.create_site(
            self.supervisor,
            self.workdir,
            self.standin_url,
            self.url("receiver"),
            BUSINESS_NUMBER,
            self.url("ads"),
            WABA_ID,
        )
        model = bot.ensure_model(self.supervisor, BOT_BIN / "rasa", MODEL_CACHE, self.say)
        self._start_bot(model, site["api_key"])
        self._start_widget_server(site["webhook_secret"])
        self._start_standin()
        self._start_site(site["key"])
        self._wait_ready()
        self.state = {
            "site_url": self.site_url,
            "site_key": site["key"],
            "api_key": site["api_key"],
            "dashboard": {"url": self.url("widget") + "/dashboard/", **site["login"]},
            "urls": {
                **{name: self.url(name) for name, _ in self.ports.items()},
                "standin": self.standin_url,
            },
            "pids": self.supervisor.pids(),
            "logs": str(self.supervisor.log_dir),
        }
        # Written whole then renamed: whoever waits for the file never reads half of it.
        scratch = self.workdir / "state.json.tmp"
        scratch.write_text(json.dumps(self.state, indent=2))
        scratch.replace(self.workdir / "state.json")
        return self.state

    def _clear_workdir(self) -> None:
        """Empty the demo folder of a previous run, refusing to touch any other folder."""
        if self.workdir.is_dir() and any(self.workdir.iterdir()):
            if not (self.workdir / "logs").is_dir():
                raise StartupError(f"{self.workdir} is not a demo folder: choose an empty --dir")
            shutil.rmtree(self.workdir)
        self.workdir.mkdir(parents=True, exist_ok=True)

    def stop(self) -> None:
        """Stop every service and wait for each process group to be gone."""
        self.supervisor.stop()

    def _start_widget_server(self, webhook_secret: str) -> None:
        env = widget.server_env(self.workdir)
        address = f"127.0.0.1:{self.ports.widget}"
        argv = [str(SERVER_BIN / "gunicorn"), "-b", address, "--threads", "4"]
        self.supervisor.start("widget-server", [*argv, "widget_server:create_app()"], env, REPO)
        self.supervisor.start("webhook-worker", widget.flask("webhooks", "worker"), env, REPO)
        receiver = [str(SERVER_BIN / "python"), "-u", "examples/webhook_receiver.py"]
        receiver += ["--port", str(self.ports.receiver), "--secret", webhook_secret]
        echo = (lambda line: self.say(f"  [webhook] {line}")) if self.echo_webhooks else None
        self.supervisor.start("webhook-receiver", receiver, None, REPO, echo=echo)
        ads = [str(SERVER_BIN / "python"), "-u", "-m", "examples.ads_standin", "--print"]
        ads += ["--port", str(self.ports.ads)]
        echo = (lambda line: self.say(f"  [conversion] {line}")) if self.echo_webhooks else None
        self.supervisor.start("ads-standin", ads, None, REPO, echo=echo)

    def _start_standin(self) -> None:
        argv = [str(SERVER_BIN / "python"), "-m", "examples.wa_standin"]
        argv += ["--port", str(self.ports.standin), "--phone-number-id", PHONE_NUMBER_ID]
        argv += ["--display-phone-number", BUSINESS_NUMBER]
        argv += ["--app-secret", self.secrets["app"], "--access-token", self.secrets["graph"]]
        argv += ["--webhook-url", self.webhook_url, "--visitor-wa-id", VISITOR_WA_ID]
        self.supervisor.start("wa-standin", argv, {"PYTHONUNBUFFERED": "1"}, REPO)

    def _start_bot(self, model: Path, api_key: str) -> None:
        channel = {
            "verify_token": self.secrets["verify"],
            "app_secret": self.secrets["app"],
            "access_token": self.secrets["graph"],
            "phone_number_id": PHONE_NUMBER_ID,
            "graph_url": self.url("standin") + "/v21.0",
            "server_url": self.url("widget"),
            "server_api_key": api_key,
            "metadata_key": self.secrets["metadata"],
        }
        action_url = self.url("actions") + "/webhook"
        credentials, endpoints = bot.write_settings(self.workdir, channel, action_url)
        env = {
            "RASA_TELEMETRY_ENABLED": "false",
            "WA_HANDOFF_SERVER_URL": self.url("widget"),
            # One key with all three scopes serves the channel and the actions alike.
            "WA_HANDOFF_ACTION_API_KEYS": api_key,
            "WA_HANDOFF_METADATA_KEY": self.secrets["metadata"],
        }
        actions = [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "examples.bot.actions"]
        actions += ["--port", str(self.ports.actions)]
        self.supervisor.start("rasa-actions", actions, env, REPO)
        rasa = [str(BOT_BIN / "rasa"), "run", "--model", str(model), "--interface", "127.0.0.1"]
        rasa += ["--port", str(self.ports.rasa), "--credentials", str(credentials)]
        rasa += ["--endpoints", str(endpoints)]
        self.supervisor.start("rasa", rasa, env, bot.BOT_DIR)

    def _start_site(self, site_key: str) -> None:
        argv = [str(SERVER_BIN / "python"), "-u", "examples/site/serve.py"]
        argv += ["--port", str(self.ports.site), "--widget-url", self.url("widget")]
        argv += ["--site", site_key, "--number", BUSINESS_NUMBER]
        self.supervisor.start("site", argv, None, REPO)

    def _wait_ready(self) -> None:
        checks = [
            ("widget-server", self.url("widget") + "/healthz", 60),
            ("wa-standin", self.url("standin") + "/healthz", 30),
            ("site", self.url("site") + "/", 30),
            ("ads-standin", self.url("ads") + "/_received", 30),
            ("rasa-actions", self.url("actions") + "/health", 120),
            ("rasa", self.url("rasa") + "/webhooks/whatsapp/", 240),
        ]
        self.supervisor.wait_port("webhook-receiver", self.ports.receiver, 30)
        for name, url, timeout in checks:
            self.say(f"  waiting for {name} at {url}")
            self.supervisor.wait_http(name, url, timeout)
        self.say("  subscribing the stand-in to the bot's webhook (Meta's verification handshake)")
        try:
            verify_subscription(self.webhook_url, self.secrets["verify"])
        except (ValueError, requests.RequestException) as error:
            raise StartupError(f"{error}\n{self.supervisor.tail('rasa')}") from None
        self.supervisor.check_running()
