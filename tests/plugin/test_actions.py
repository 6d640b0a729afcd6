"""The actions, with rasa_sdk trackers built by hand and in a real `rasa run actions`."""

import asyncio
import os
import signal

import pytest
import requests
from rasa_sdk.executor import CollectingDispatcher
from support import BOT_BIN, METADATA_KEY, ROW, Process, free_port, tracker

from plugin import actions
from plugin.action_settings import ActionSettingsError
from plugin.attribution import SLOTS, slots_for_turn

DOMAIN = {"slots": {name: {"type": "text"} for name in SLOTS}}


@pytest.fixture(autouse=True)
def environment(monkeypatch):
    """Give each test the action server's environment afresh, trusting the tests' seal."""
    for name in [n for n in os.environ if n.startswith("WA_HANDOFF_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("WA_HANDOFF_METADATA_KEY", METADATA_KEY)
    actions.settings.cache_clear()
    actions.server.cache_clear()
    yield
    actions.settings.cache_clear()
    actions.server.cache_clear()


def test_a_turn_without_a_reference_sets_nothing_so_slots_stay():
    metadata = {"whatsapp": {"wa_id": "1555"}}
    known = {"utm_campaign": "spring", "whatsapp_user_id": "1555", "whatsapp_phone": "1555"}
    current = tracker("how much is it?", metadata, known)
    assert asyncio.run(slots_for_turn(current, None)) == {}
    events = asyncio.run(
        actions.ActionAttributionSlots().run(CollectingDispatcher(), current, DOMAIN)
    )
    assert events == []


def test_only_the_slots_the_domain_declares_are_set():
    metadata = {"correlation_id": "O-aB3dE9z", "web_session": ROW}
    domain = {"slots": {"utm_campaign": {}, "correlation_id": {}}}
    current = tracker("/greet", metadata, key=METADATA_KEY)
    action = actions.ActionAttributionSlots()
    events = asyncio.run(action.run(CollectingDispatcher(), current, domain))
    assert {(e["name"], e["value"]) for e in events} == {
        ("utm_campaign", "spring"),
        ("correlation_id", "O-aB3dE9z"),
    }
    assert all(e["event"] == "slot" for e in events)


@pytest.fixture
def configured(widget_server, monkeypatch):
    """Point the actions at the running widget server, as the action server's env would."""
    monkeypatch.setenv("WA_HANDOFF_SERVER_URL", widget_server.url)
    monkeypatch.setenv("WA_HANDOFF_ACTION_API_KEYS", widget_server.api_key)
    yield widget_server


def run_action(action, current, domain=DOMAIN):
    """Run an action in a fresh loop, closing its HTTP session afterwards."""

    async def go():
        try:
            return await action.run(CollectingDispatcher(), current, domain)
        finally:
            await actions.server().close()

    return asyncio.run(go())


def test_behind_another_channel_the_action_asks_the_server(configured):
    reference = configured.click(
        "https://shop.example/p?utm_source=fb&utm_campaign=autumn&fbclid=F"
    )
    # Rasa's Twilio channel: no metadata, the reference only in the text.
    events = run_action(actions.ActionAttributionSlots(), tracker(f"Reference: {reference} (hi)"))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["correlation_id"] == reference
    assert (slots["utm_source"], slots["utm_campaign"], slots["fbclid"]) == ("fb", "autumn", "F")


def test_an_unknown_reference_sets_no_slot(configured):
    assert run_action(actions.ActionAttributionSlots(), tracker("Reference: O-zzzzzzz")) == []


def test_the_lead_type_is_reported_to_the_server(configured):
    reference = configured.click("https://shop.example/?utm_campaign=winter", device_id="lead")
    current = tracker("I want to buy", slots={"correlation_id": reference, "lead_type": "hot"})
    assert run_action(actions.ActionReportLeadType(), current) == []
    assert configured.attribution(reference).json()["data"]["lead_type"] == "hot"


def test_a_sale_is_reported_with_its_value_and_currency(configured):
    reference = configured.click("https://shop.example/?utm_campaign=winter", device_id="sale")
    slots = {"correlation_id": reference, "lead_type": "won"}
    slots.update(lead_value=120, lead_currency="eur")
    assert run_action(actions.ActionReportLeadType(), tracker("Paid", slots=slots)) == []
    assert configured.attribution(reference).json()["data"]["lead_type"] == "won"
    [event] = configured.events("lead.updated", reference)
    assert (event["lead_type"], event["value"], event["currency"]) == ("won", 120.0, "EUR")


def test_a_sale_without_its_currency_still_reports_the_lead_type(configured, caplog):
    reference = configured.click("https://shop.example/", device_id="half-sale")
    slots = {"correlation_id": reference, "lead_type": "won", "lead_value": 120}
    assert run_action(actions.ActionReportLeadType(), tracker("Paid", slots=slots)) == []
    [event] = configured.events("lead.updated", reference)
    assert (event["lead_type"], event["value"], event["currency"]) == ("won", None, None)
    assert "Not reporting the sale" in caplog.text


def test_a_bad_timeout_is_named_when_an_action_first_needs_the_server(monkeypatch):
    monkeypatch.setenv("WA_HANDOFF_SERVER_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("WA_HANDOFF_ACTION_API_KEYS", "wah_key")
    monkeypatch.setenv("WA_HANDOFF_TIMEOUT", "soon")
    with pytest.raises(ActionSettingsError, match=r"WA_HANDOFF_TIMEOUT .* got 'soon'"):
        asyncio.run(
            actions.ActionAttributionSlots().run(
                CollectingDispatcher(), tracker("Reference: O-aB3dE9z"), DOMAIN
            )
        )


def action_call(name, current):
    """Return the body Rasa posts to the action server's /webhook to run one action."""
    state = {
        "sender_id": current.sender_id,
        "slots": current.slots,
        "latest_message": current.latest_message,
        "events": current.events,
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return {"next_action": name, "sender_id": current.sender_id, "tracker": state,
            "domain": DOMAIN, "version": "3.6.2"}  # fmt: skip


def action_server(env, logs, name):
    """Start `rasa run actions --actions plugin.actions` with env; return (process, url)."""
    port = free_port()
    args = [str(BOT_BIN / "rasa"), "run", "actions", "--actions", "plugin.actions"]
    process = Process(name, [*args, "--port", str(port)], env, logs)
    process.start(f"http://127.0.0.1:{port}/health", timeout=90)
    return process, f"http://127.0.0.1:{port}/webhook"


def report_lead(url, reference):
    """Ask the action server at url to report a hot lead for reference, as Rasa would."""
    current = tracker("I want to buy", slots={"correlation_id": reference, "lead_type": "hot"})
    return requests.post(url, json=action_call("action_report_lead_type", current), timeout=10)


def test_a_bad_timeout_does_not_stop_the_action_server_from_loading(logs):
    env = {"WA_HANDOFF_SERVER_URL": "http://127.0.0.1:9", "WA_HANDOFF_ACTION_API_KEYS": "wah_key"}
    process, url = action_server({**env, "WA_HANDOFF_TIMEOUT": "-1"}, logs, "bad-timeout")
    try:
        current = tracker(
            "I want to buy", slots={"correlation_id": "O-aB3dE9z", "lead_type": "hot"}
        )
        answer = requests.post(
            url, json=action_call("action_report_lead_type", current), timeout=10
        )
    finally:
        process.stop()
    assert answer.status_code == 500
    assert "WA_HANDOFF_TIMEOUT must be a positive number of seconds, got '-1'" in answer.text
    assert "WA_HANDOFF_TIMEOUT" in process.log()


def test_the_action_server_closes_its_http_session_when_it_stops(widget_server, logs):
    reference = widget_server.click("https://shop.example/?utm_campaign=autumn", device_id="stop")
    env = {
        "WA_HANDOFF_SERVER_URL": widget_server.url,
        "WA_HANDOFF_ACTION_API_KEYS": widget_server.api_key,
    }
    process, url = action_server(env, logs, "closing")
    try:
        current = tracker("I want to buy", slots={"correlation_id": reference, "lead_type": "hot"})
        answer = requests.post(
            url, json=action_call("action_report_lead_type", current), timeout=10
        )
        assert answer.status_code == 200, answer.text
        assert widget_server.attribution(reference).json()["data"]["lead_type"] == "hot"
        process.proc.send_signal(signal.SIGINT)
        assert process.proc.wait(20) == 0
    finally:
        process.stop()
    assert "Unclosed client session" not in process.log()
    assert "Unclosed connector" not in process.log()


def test_the_slot_validation_puts_a_forms_answer_back():
    current = tracker("/greet", {"correlation_id": "O-aB3dE9z"})
    current.events.append({"event": "slot", "name": "preferences", "value": "/greet"})
    events = asyncio.run(
        actions.ActionValidateSlotMappings().run(CollectingDispatcher(), current, DOMAIN)
    )
    assert events == [{"event": "slot", "timestamp": None, "name": "preferences", "value": None}]


def test_behind_another_whatsapp_channel_the_action_links_the_row(configured, monkeypatch):
    monkeypatch.setenv("WA_HANDOFF_WHATSAPP_CHANNELS", "twilio")
    reference, prefilled = configured.prefilled("https://shop.example/?utm_campaign=twilio")
    current = tracker(prefilled, channel="twilio", message_id="SM123")
    events = run_action(actions.ActionAttributionSlots(), current)
    assert {e["name"]: e["value"] for e in events}["utm_campaign"] == "twilio"
    row = configured.attribution(reference).json()["data"]
    assert row["correlated_at"] is not None


def test_behind_a_channel_not_named_the_action_only_reads(configured):
    reference = configured.click("https://shop.example/?utm_campaign=web")
    events = run_action(actions.ActionAttributionSlots(), tracker(reference, channel="rest"))
    assert {e["name"]: e["value"] for e in events}["utm_campaign"] == "web"
    assert configured.attribution(reference).json()["data"]["correlated_at"] is None


def test_the_actions_ask_each_sites_key_in_turn(configured, monkeypatch):
    blog, blog_key = configured.add_site("Magazine", scopes=("attribution:read",))
    reference = configured.click("https://magazine.example/?utm_campaign=issue9", site_key=blog)
    monkeypatch.setenv("WA_HANDOFF_ACTION_API_KEYS", f"{configured.api_key}, {blog_key}")
    events = run_action(actions.ActionAttributionSlots(), tracker(f"Reference: {reference}"))
    assert {e["name"]: e["value"] for e in events}["utm_campaign"] == "issue9"
