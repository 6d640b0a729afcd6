"""What of the web session reaches the bot's tracker: no address or browser unless asked."""

from __future__ import annotations

from typing import Any

# The row's fields about the visitor's machine rather than the campaign; Rasa's tracker store
# keeps whatever metadata and slots hold, for as long as the bot builder keeps conversations.
CLIENT_DETAILS = ("ip_address", "user_agent")


def for_tracker(row: dict[str, Any], share_client_details: bool) -> dict[str, Any]:
    """Return the row as the tracker gets it: without the client details unless they are shared."""
    if share_client_details:
        return row
    return {name: value for name, value in row.items() if name not in CLIENT_DETAILS}
