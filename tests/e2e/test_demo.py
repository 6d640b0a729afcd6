"""The whole handoff, as `make demo` runs it: site, widget, stand-in, Rasa, webhooks, API.

One demo stack is started per module by running the orchestrator exactly as `make demo` does
(on free ports, in a scratch folder); the last test stops it with SIGINT like Ctrl-C would.
"""

import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from examples.demo import proc
from examples.demo.ports import free_ports, is_free
from examples.demo.stack import VISITOR_WA_ID
from examples.demo.walkthrough import visit

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 600  # a fresh clone trains the bot first
# The module's stack starts within the first test's time; leave room beyond START_TIMEOUT.
pytestmark = pytest.mark.timeout(START_TIMEOUT + 300)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """Run `python -m examples.demo` until it is ready; return its process, state and folder."""
    workdir = tmp_path_factory.mktemp("demo")
    ports = free_ports()
    env = {**os.environ, **{f"DEMO_{name.upper()}_PORT": str(port) for name, port in ports.items()}}
    output = open(workdir.parent / "demo-output.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.demo", "--dir", str(workdir)],
        cwd=REPO,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    state_file = workdir / "state.json"
    deadline = time.monotonic() + START_TIMEOUT
    while not state_file.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.send_signal(signal.SIGINT)
            process.wait(60)
            log = (workdir.parent / "demo-output.log").read_text(errors="replace")
            pytest.fail(f"the demo did not get ready:\n{log[-4000:]}")
        time.sleep(0.5)
    state = json.loads(state_file.read_text())
    yield {"process": process, "state": state, "workdir": workdir, "ports": ports}
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        process.wait(60)
    output.close()


@pytest.fixture
def chromium_context(browser):
    """Open a browser context that stays on 127.0.0.1."""
    context = browser.new_context()
    outside = []

    def local_only(route):
        if urlsplit(route.request.url).hostname == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    context.route("**/*", local_only)
    yield context
    context.close()
    assert outside == [], f"the demo tried to reach outside addresses: {outside}"


def wait_until(check, timeout: float, what: str):
    """Return check()'s first truthy value, polling until timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def receiver_events(log: Path) -> list[dict]:
    """Return every verified event the webhook receiver printed, as JSON objects."""
    events = []
    for line in log.read_text(errors="replace").splitlines():
        start = line.find("{")
        if start < 0:
            continue
        try:
            event = json.loads(line[start:])
        except ValueError:
            continue
        if isinstance(event, dict) and "event_type" in event:
            events.append(event)
    return events


def test_a_campaign_visitor_reaches_the_bot_which_names_the_campaign(demo, chromium_context):
    state = demo["state"]
    visited = visit(chromium_context, state["urls"])
    reference = visited["reference"]
    assert reference and visited["prefilled"].startswith(f"Reference: {reference}")
    assert "launch" in visited["reply"]

    log = Path(state["logs"]) / "webhook-receiver.log"
    by_type = wait_until(
        lambda: _events_for(log, reference, {"widget.click", "conversation.correlated"}),
        60,
        f"widget.click and conversation.correlated for {reference} at the receiver",
    )
    assert by_type["widget.click"]["data"]["parsed_params"]["utm_campaign"] == "launch"

    answer = requests.get(
        state["urls"]["widget"] + "/integrations/external/attribution?limit=5",
        headers={"Authorization": f"Bearer {state['api_key']}"},
        timeout=10,
    )
    assert answer.status_code == 200
    (row,) = [row for row in answer.json()["data"] if row["correlation_id"] == reference]
    assert row["correlated_at"] is not None
    assert row["parsed_params"]["utm_source"] == "newsletter"
    assert row["parsed_params"]["utm_campaign"] == "launch"

    # The conversation is a lead: the worker sends it to Meta's website stand-in (the click had
    # no gclid for Google, no _ga cookie for GA4 and no ad referral for business messaging).
    received = state["urls"]["ads"] + "/_received?platform=meta"
    [lead] = wait_until(
        lambda: [
            entry["body"][0]
            for entry in requests.get(received, timeout=10).json()
            if entry["body"][0]["event_id"] == f"{reference}.correlated"
        ],
        60,
        f"the lead of {reference} at the Meta stand-in",
    )
    assert (lead["event_name"], lead["action_source"]) == ("Lead", "website")
    assert "campaign=launch" in lead["event_source_url"]
    log = (Path(state["logs"]) / "ads-standin.log").read_text()
    assert f"{reference}.correlated" in log


# Where each platform's body carries the conversion's stable id.
EVENT_IDS = {
    "google": lambda body: body["events"][0]["transactionId"],
    "ga4": lambda body: body["events"][0]["params"]["transaction_id"],
    "meta": lambda body: body[0]["event_id"],
}


def test_a_google_click_that_becomes_a_sale_reaches_google_ga4_and_meta(demo, chromium_context):
    state = demo["state"]
    # The visitor's browser already holds GA4's and Meta's first-party cookies for the site.
    cookies = {"_ga": "GA1.1.555666777.1700000000", "_fbp": "fb.1.1700000000000.987654321"}
    site = state["urls"]["site"]
    chromium_context.add_cookies([{"name": k, "value": v, "url": site} for k, v in cookies.items()])
    visited = visit(chromium_context, state["urls"], "?gclid=TeSt123&utm_source=google")
    reference = visited["reference"]
    # The visitor takes the offer in the chat: the example bot marks the lead won, 120 EUR.
    chat = visited["chat"]
    chat.fill("#composer", "I'll take it")
    chat.click("#send")
    confirmed = chat.locator(".msg.business .body", has_text="120 EUR")
    confirmed.wait_for(timeout=60000)
    assert "order" in confirmed.inner_text()

    [ingest] = received(state, "google", 1, reference)
    event = ingest["events"][0]
    assert event["transactionId"] == f"{reference}.won"
    assert event["adIdentifiers"] == {"gclid": "TeSt123"}
    assert (event["conversionValue"], event["currency"]) == (120, "EUR")
    assert ingest["destinations"][0]["productDestinationId"] == "400000004"
    phone = hashlib.sha256(b"+" + VISITOR_WA_ID.encode()).hexdigest()
    assert event["userData"]["userIdentifiers"] == [{"phoneNumber": phone}]

    analytics = received(state, "ga4", 2, reference)
    assert [body["events"][0]["name"] for body in analytics] == ["generate_lead", "purchase"]
    assert {body["client_id"] for body in analytics} == {"555666777.1700000000"}
    assert analytics[1]["events"][0]["params"]["value"] == 120

    meta = received(state, "meta", 2, reference)
    assert [body[0]["event_name"] for body in meta] == ["Lead", "Purchase"]
    assert {body[0]["user_data"]["fbp"] for body in meta} == {cookies["_fbp"]}


def received(state: dict, platform: str, count: int, reference: str) -> list:
    """Wait until the ad-platform stand-in holds count bodies for the reference; return them."""
    url = f"{state['urls']['ads']}/_received?platform={platform}"

    def mine():
        bodies = [
            entry["body"]
            for entry in requests.get(url, timeout=10).json()
            if EVENT_IDS[platform](entry["body"]).startswith(reference + ".")
        ]
        return bodies if len(bodies) >= count else None

    return wait_until(mine, 60, f"{count} conversions of {reference} at the {platform} stand-in")


def _events_for(log: Path, reference: str, wanted: set[str]) -> dict | None:
    found = {
        event["event_type"]: event
        for event in receiver_events(log)
        if (event.get("data") or {}).get("correlation_id") == reference
    }
    return found if wanted <= set(found) else None


def test_ctrl_c_stops_every_process_and_frees_every_port(demo):
    process = demo["process"]
    family = proc.descendants(process.pid)
    assert len(family) >= 8, f"expected every service running, found {family}"
    process.send_signal(signal.SIGINT)
    assert process.wait(60) == 0
    deadline = time.monotonic() + 15
    while any(map(proc.alive, family)) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert [pid for pid in family if proc.alive(pid)] == []
    taken = [name for name, port in demo["ports"].items() if not is_free(port)]
    assert taken == []
