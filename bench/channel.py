"""Bench the WhatsApp channel: what a reference adds to a message's way into Rasa (p50, p99).

Run with the bot env: `.venv-bot/bin/python bench/channel.py [--messages N]`.
The channel's Sanic app is served in-process on 127.0.0.1 and a real widget server runs as a
subprocess from the server env. Each message is a signed Cloud API webhook; the time is taken
from the POST until the channel hands the UserMessage to Rasa. Plain messages (the baseline)
and messages carrying a fresh reference (one correlation POST each) alternate with voice notes
(no words: the `/whatsapp_audio` form) and username users (a BSUID, no phone) with a reference.
"""

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import aiohttp
import requests
from sanic import Sanic

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.support import Gunicorn, free_port  # noqa: E402
from plugin.whatsapp import WhatsAppInput  # noqa: E402
from plugin.whatsapp.signature import sign  # noqa: E402

FLASK = ROOT / ".venv" / "bin" / "flask"
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
SECRET = "bench-secret"
WARMUP = 20
KINDS = ("plain", "reference", "voice", "username")


def flask(args: list[str], env: dict[str, str]) -> str:
    """Run a widget server CLI command; return its output."""
    command = [str(FLASK), "--app", "widget_server", *args]
    return subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True).stdout


def prepare_widget_server(workdir: Path) -> tuple[dict[str, str], str, str]:
    """Set up a widget server's SQLite database; return (env, site key, api key)."""
    env = {**os.environ, "WIDGET_DATABASE_URL": f"sqlite:///{workdir / 'w.db'}"}
    # Every click comes from this one address: over the default 60 a minute they go unrecorded.
    env["WIDGET_CLICK_LIMIT_CLIENT"] = "100000 per minute"
    flask(["db", "upgrade"], env)
    site = json.loads(
        flask(
            ["sites", "create", "--name", "Bench", "--json", "--whatsapp-number", "15551234567"],
            env,
        )
    )["site_key"]
    key = json.loads(
        flask(["keys", "create", "--site", site, "--json", "--scope", "correlations:write"], env)
    )["api_key"]
    return env, site, key


def issue(url: str, site: str, count: int) -> list[str]:
    """Click the widget count times from distinct devices; return the references issued."""
    page = "https://shop.example/?utm_source=bench&utm_campaign=bench"
    with requests.Session() as http:
        return [
            http.get(
                f"{url}/c/{site}",
                params={"device_id": f"d{n}", "url": page},
                headers={"Accept": "application/json"},
                timeout=5,
            ).json()["correlation_id"]
            for n in range(count)
        ]


def webhook(wa_id: str, words: str | None, username: bool = False) -> bytes:
    """Return a Cloud API webhook body carrying one text message, or a voice note without words."""
    message = {"id": f"wamid.{uuid.uuid4().hex}", "timestamp": "1732800000"}
    if words is None:
        message.update(type="audio", audio={"id": "M1", "mime_type": "audio/ogg", "voice": True})
    else:
        message.update(type="text", text={"body": words})
    contact: dict = {"profile": {"name": "Bench"}}
    if username:  # Meta's business-scoped user id and no phone number
        message["from_user_id"] = contact["user_id"] = f"US.{wa_id}"
    else:
        message["from"] = contact["wa_id"] = wa_id
    value = {"messaging_product": "whatsapp", "messages": [message], "contacts": [contact]}
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


async def measure(channel: WhatsAppInput, bodies: list[tuple[str, bytes]]) -> dict[str, list]:
    """Post each body and time its way to Rasa; return the times in ms by kind."""
    arrived = asyncio.Queue()

    async def on_new_message(message):
        arrived.put_nowait(time.perf_counter())

    Sanic.test_mode = True
    app = Sanic("bench_channel")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/whatsapp")
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    await server.startup()
    url = f"http://127.0.0.1:{port}/webhooks/whatsapp/webhook"
    times: dict[str, list] = {kind: [] for kind in KINDS}
    async with aiohttp.ClientSession() as session:
        for n, (kind, body) in enumerate(bodies):
            headers = {"X-Hub-Signature-256": sign(body, SECRET)}
            started = time.perf_counter()
            async with session.post(url, data=body, headers=headers) as answer:
                assert answer.status == 200, await answer.text()
            finished = await asyncio.wait_for(arrived.get(), timeout=10)
            if n >= len(KINDS) * WARMUP:
                times[kind].append((finished - started) * 1000)
    await server.close()
    await channel.server.close()
    return times


def quantiles(values: list[float]) -> tuple[float, float]:
    """Return p50 and p99 of values."""
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return statistics.median(values), cuts[98]


def main() -> None:
    """Run the bench and print the reference's added latency against plain messages."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200, help="messages of each kind")
    count = min(parser.parse_args().messages, 2000) + WARMUP
    if not FLASK.exists():
        sys.exit(f"the server env is missing ({FLASK}): run `make setup`")
    with tempfile.TemporaryDirectory() as workdir:
        env, site, key = prepare_widget_server(Path(workdir))
        # gunicorn, as in production; Werkzeug's dev server adds delayed-ACK stalls on keep-alive.
        with Gunicorn("widget_server:create_app()", env=env, program=[str(GUNICORN)]) as server:
            url = server.url
            bodies = []
            references = issue(url, site, 2 * count)
            for n in range(count):
                bodies.append(("plain", webhook(f"1555{n:07d}", "hello there, a question")))
                text = f"Reference: {references[2 * n]} (Please send this message as is)"
                bodies.append(("reference", webhook(f"1666{n:07d}", text)))
                bodies.append(("voice", webhook(f"1777{n:07d}", None)))
                text = f"Reference: {references[2 * n + 1]} (Please send this message as is)"
                bodies.append(("username", webhook(f"1888{n:07d}", text, username=True)))
            channel = WhatsAppInput.from_credentials(
                {
                    "verify_token": "v",
                    "app_secret": SECRET,
                    "access_token": "t",
                    "phone_number_id": "1098765432",
                    "server_url": url,
                    "server_api_key": key,
                }
            )
            times = asyncio.run(measure(channel, bodies))
    p50, p99 = quantiles(times["plain"])
    print(f"WhatsApp channel, webhook POST -> UserMessage, {len(times['plain'])} messages each")
    print(f"  plain message (baseline)        p50 {p50:7.2f} ms   p99 {p99:7.2f} ms")
    for kind, label in (
        ("reference", "with a reference"),
        ("voice", "voice note (no words)"),
        ("username", "username user, reference"),
    ):
        k50, k99 = quantiles(times[kind])
        print(
            f"  {label:<30}  p50 {k50:7.2f} ms   p99 {k99:7.2f} ms"
            f"   ratio p50 {k50 / p50:5.2f} x  p99 {k99 / p99:5.2f} x"
        )


if __name__ == "__main__":
    main()
