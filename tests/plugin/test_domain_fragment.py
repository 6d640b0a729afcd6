"""The domain fragment the plugin ships: attribution and sale slots, the actions, nothing else."""

import subprocess
import sys

from rasa.shared.core.domain import Domain
from support import BOT, ROOT

from plugin import actions
from plugin.attribution import SALE, SLOTS, WEB_SESSION
from plugin.domain_fragment import PATH


def test_the_fragment_declares_every_slot_with_the_plugins_custom_mapping():
    domain = Domain.load(str(PATH))
    declared = {slot.name: slot for slot in domain.slots if slot.name != "session_started_metadata"}
    assert list(declared) == [*SLOTS, WEB_SESSION, *SALE]
    for name, slot in declared.items():
        # The bot fills a sale's slots itself; the plugin only reads them.
        action = {} if name in SALE else {"action": "action_attribution_slots"}
        assert slot.mappings == [{"type": "custom", **action}]
        assert not slot.influence_conversation
    assert type(declared[WEB_SESSION]).__name__ == "AnySlot"


def test_the_fragment_lists_exactly_the_plugins_actions():
    names = {cls().name() for cls in vars(actions).values() if isinstance(cls, type)
             and issubclass(cls, actions.Action) and cls is not actions.Action}  # fmt: skip
    assert set(Domain.load(str(PATH)).user_actions) == names


def test_the_module_prints_the_fragment_and_the_example_bot_links_it():
    printed = subprocess.run(
        [sys.executable, "-m", "plugin.domain_fragment"], capture_output=True, text=True, check=True
    ).stdout
    assert printed == PATH.read_text()
    assert (BOT / "domain" / "wa_handoff.yml").resolve() == PATH.resolve()
    assert PATH.is_relative_to(ROOT / "plugin")
