"""The example bot's actions: the plugin's, and one that records the shop's single sale.

Run with `rasa run actions --actions examples.bot.actions`, as the demo does.
"""

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from plugin.actions import *  # noqa: F403 - the action server registers every imported action

# The example shop sells one thing, at one price.
PRICE, CURRENCY = 120.0, "EUR"


class ActionRecordSale(Action):
    """Mark the lead won with the price, for action_report_lead_type to send."""

    def name(self) -> str:
        """Name the action as the domain does."""
        return "action_record_sale"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        """Set lead_type, lead_value and lead_currency to a won sale at the shop's price."""
        sale = {"lead_type": "won", "lead_value": PRICE, "lead_currency": CURRENCY}
        return [SlotSet(name, value) for name, value in sale.items()]
