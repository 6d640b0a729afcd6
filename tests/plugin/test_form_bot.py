"""A bot whose form asks a free-text question: a reference never becomes the answer."""

import json
import shutil
import uuid
from pathlib import Path

import pytest
import requests
from support import METADATA_KEY, SECRETS, rasa_run, trained
from support.meta_payloads import payload, post, text, value

from plugin.domain_fragment import PATH

pytestmark = pytest.mark.timeout(900)
FORM_BOT = Path(__file__).parent / "bots" / "form"


@pytest.fixture(scope="module")
def form_bot(tmp_path_factory, widget_server, action_server, rasa_graph, logs):
    """Yield the base URL of `rasa run` of the form bot, its domain beside the fragment."""
    bot = tmp_path_factory.mktemp("form") / "bot"
    shutil.copytree(FORM_BOT, bot)
    (bot / "domain").mkdir()
    (bot / "domain.yml").rename(bot / "domain" / "domain.yml")
    shutil.copy(PATH, bot / "domain" / "wa_handoff.yml")
    channel = {
        **SECRETS,
        "graph_url": rasa_graph.url,
        "server_url": widget_server.url,
        "server_api_key": widget_server.api_key,
        "metadata_key": METADATA_KEY,
    }
    (bot / "credentials.yml").write_text(json.dumps({"plugin.whatsapp.WhatsAppInput": channel}))
    endpoints = {"action_endpoint": {"url": f"{action_server}/webhook"}}
    (bot / "endpoints.yml").write_text(json.dumps(endpoints))
    process = rasa_run(trained(bot, "form", tmp_path_factory.mktemp("form-model")), bot, logs)
    yield process.url
    process.stop()


class Visitor:
    """One WhatsApp user talking to the form bot."""

    def __init__(self, url, graph):
        self.url, self.graph = url, graph
        self.wa_id = str(30_000_000_000 + uuid.uuid4().int % 10_000_000_000)

    def say(self, words):
        """Send words; return the bot's next reply."""
        before = len(self.graph.sent_to(self.wa_id))
        body = payload(value([text(words, wa_id=self.wa_id)]))
        assert post(f"{self.url}/webhooks/whatsapp/webhook", body, SECRETS["app_secret"]).ok
        return self.graph.wait_for(self.wa_id, before + 1, timeout=60)[before]["text"]["body"]

    def slots(self):
        """Return the conversation's slots from Rasa's HTTP API."""
        answer = requests.get(f"{self.url}/conversations/{self.wa_id}/tracker", timeout=10)
        return answer.json()["slots"]


def test_a_bare_reference_in_a_form_is_not_the_answer(form_bot, widget_server, rasa_graph):
    visitor = Visitor(form_bot, rasa_graph)
    assert visitor.say("I want a callback") == "Any preferences for the callback?"
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=autumn")
    assert visitor.say(prefilled) == "Any preferences for the callback?"
    slots = visitor.slots()
    assert (slots["preferences"], slots["correlation_id"]) == (None, reference)
    assert slots["utm_campaign"] == "autumn"
    assert visitor.say("A window seat") == "Noted: A window seat. We will call you."


def test_a_reference_with_words_of_their_own_answers_with_those_words(
    form_bot, widget_server, rasa_graph
):
    visitor = Visitor(form_bot, rasa_graph)
    assert visitor.say("please call me") == "Any preferences for the callback?"
    reference, prefilled = widget_server.prefilled("https://shop.example/?utm_campaign=winter")
    reply = visitor.say(f"{prefilled}\nMornings only")
    assert reply == "Noted: Mornings only. We will call you."
    slots = visitor.slots()
    assert (slots["correlation_id"], slots["utm_campaign"]) == (reference, "winter")
