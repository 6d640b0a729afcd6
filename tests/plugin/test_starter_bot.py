"""Rasa's own starter bot, as `rasa init` writes it, plus only the README's bot builders' steps."""

import subprocess
import sys
import uuid

import pytest
import requests
from rasa.cli.scaffold import create_initial_project
from support import METADATA_KEY, ROOT, SECRETS, rasa_run, trained
from support.meta_payloads import payload, post, text, value

from plugin.attribution import SLOTS

pytestmark = pytest.mark.timeout(900)

README = (ROOT / "README.md").read_text()
CAMPAIGNS = [f"spring-{n:02d}" for n in range(1, 21)]
# The README's steps, word for word (a test below checks that the README still says them).
MOVE = """\
   mkdir domain && mv domain.yml domain/
   python -m plugin.domain_fragment > domain/wa_handoff.yml
   rasa train --domain domain"""
RASA_INIT_GREETING = """\
  utter_greet:
  - text: "Hey! How are you?"
"""
GREETING = """\
     utter_greet:
     - condition: [{type: slot, name: utm_campaign, value: null}]
       text: "Hey! How are you?"
     - text: "Hey! Thanks for coming from our {utm_campaign} campaign. How are you?"
"""
CHANNEL = """\
   plugin.whatsapp.WhatsAppInput:
     verify_token: ${WHATSAPP_VERIFY_TOKEN}
     app_secret: ${WHATSAPP_APP_SECRET}
     access_token: ${WHATSAPP_ACCESS_TOKEN}
     phone_number_id: ${WHATSAPP_PHONE_NUMBER_ID}
     server_url: ${WA_HANDOFF_SERVER_URL}
     server_api_key: ${WA_HANDOFF_CHANNEL_API_KEYS}
     metadata_key: ${WA_HANDOFF_METADATA_KEY}
"""
ENDPOINT = """\
   action_endpoint:
     url: "http://localhost:5055/webhook"
"""


def unindent(block: str, by: int) -> str:
    """Return a README block as it goes into a file: without the list item's indentation."""
    return "".join(line[by:] + "\n" for line in block.splitlines())


def test_the_readme_gives_exactly_these_steps():
    for block in (MOVE, GREETING, CHANNEL, ENDPOINT):
        assert block in README
    assert "rasa run actions --actions plugin.actions" in README


@pytest.fixture(scope="module")
def starter_bot(tmp_path_factory, widget_server, action_server, rasa_graph, logs):
    """Yield the base URL of `rasa run` of the starter bot after the guide's steps."""
    bot = tmp_path_factory.mktemp("starter") / "bot"
    create_initial_project(str(bot))  # what `rasa init` writes, before it trains
    (bot / "domain").mkdir()
    (bot / "domain.yml").rename(bot / "domain" / "domain.yml")
    fragment = [sys.executable, "-m", "plugin.domain_fragment"]
    (bot / "domain" / "wa_handoff.yml").write_text(
        subprocess.run(fragment, capture_output=True, text=True, check=True).stdout
    )
    domain = bot / "domain" / "domain.yml"
    assert RASA_INIT_GREETING in domain.read_text()
    domain.write_text(domain.read_text().replace(RASA_INIT_GREETING, unindent(GREETING, 3)))
    credentials = bot / "credentials.yml"
    # Only the Graph API's address is the test's own: Meta's stand-in.
    channel = unindent(CHANNEL, 3) + "  graph_url: ${WHATSAPP_GRAPH_URL}\n"
    credentials.write_text(credentials.read_text() + "\n" + channel)
    endpoints = bot / "endpoints.yml"
    endpoint = unindent(ENDPOINT, 3).replace("http://localhost:5055", action_server)
    endpoints.write_text(endpoints.read_text() + "\n" + endpoint)
    model = trained(bot, "starter", tmp_path_factory.mktemp("starter-model"))
    env = {
        "WHATSAPP_VERIFY_TOKEN": SECRETS["verify_token"],
        "WHATSAPP_APP_SECRET": SECRETS["app_secret"],
        "WHATSAPP_ACCESS_TOKEN": SECRETS["access_token"],
        "WHATSAPP_PHONE_NUMBER_ID": SECRETS["phone_number_id"],
        "WHATSAPP_GRAPH_URL": rasa_graph.url,
        "WA_HANDOFF_SERVER_URL": widget_server.url,
        "WA_HANDOFF_CHANNEL_API_KEYS": widget_server.api_key,
        "WA_HANDOFF_METADATA_KEY": METADATA_KEY,  # the action server fixture's too
    }
    process = rasa_run(model, bot, logs, env)
    yield process.url
    process.stop()


def send(url: str, wa_id: str, words: str) -> None:
    """Send one signed WhatsApp text message from wa_id to the bot at url."""
    body = payload(value([text(words, wa_id=wa_id)]))
    assert post(f"{url}/webhooks/whatsapp/webhook", body, SECRETS["app_secret"]).status_code == 200


def tracker(url: str, wa_id: str) -> dict:
    """Return one conversation's tracker from Rasa's HTTP API."""
    answer = requests.get(f"{url}/conversations/{wa_id}/tracker", timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def new_user() -> str:
    """Return a WhatsApp id no other test uses."""
    return str(20_000_000_000 + uuid.uuid4().int % 10_000_000_000)


def test_twenty_references_of_twenty_campaigns_get_twenty_campaign_greetings(
    starter_bot, widget_server, rasa_graph
):
    sent = {}
    for campaign in CAMPAIGNS:
        reference, prefilled = widget_server.prefilled(
            f"https://shop.example/?utm_campaign={campaign}"
        )
        wa_id = new_user()
        send(starter_bot, wa_id, prefilled)
        sent[wa_id] = (campaign, reference)
    greeted = {}
    for wa_id, (campaign, reference) in sent.items():
        [reply] = rasa_graph.wait_for(wa_id, 1, timeout=60)
        greeted[campaign] = reply["text"]["body"]
        slots = tracker(starter_bot, wa_id)["slots"]
        assert (slots["utm_campaign"], slots["correlation_id"]) == (campaign, reference)
        assert slots["web_session"]["correlation_id"] == reference
    expected = {c: f"Hey! Thanks for coming from our {c} campaign. How are you?" for c in CAMPAIGNS}
    assert greeted == expected


def test_a_reference_and_the_visitors_question_reach_nlu_as_the_question(
    starter_bot, widget_server, rasa_graph
):
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=summer")
    wa_id = new_user()
    send(starter_bot, wa_id, f"{prefilled}\nare you a bot?")
    [reply] = rasa_graph.wait_for(wa_id, 1, timeout=60)
    assert reply["text"]["body"] == "I am a bot, powered by Rasa."
    state = tracker(starter_bot, wa_id)
    assert state["latest_message"]["text"] == "are you a bot?"
    assert state["latest_message"]["intent"]["name"] == "bot_challenge"
    assert (state["slots"]["correlation_id"], state["slots"]["utm_campaign"]) == (
        reference,
        "summer",
    )
    assert set(SLOTS) <= set(state["slots"])
    # The visitor's own words were the turn's text; the reference travelled in metadata.
    user = [e for e in state["events"] if e["event"] == "user"][-1]
    assert user["metadata"]["whatsapp"]["text"] == f"{prefilled}\nare you a bot?"
    assert user["text"] == "are you a bot?"
