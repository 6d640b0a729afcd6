"""The conversations the stand-in shows, in memory, safe across request threads."""

import threading
import time


class Chats:
    """Every message sent or received, in order."""

    def __init__(self):
        self._lock = threading.Lock()
        self._messages: list[dict] = []

    def add(self, wa_id: str, sender: str, message_id: str, content: dict, status: str) -> dict:
        """Record a message of the visitor `wa_id` from `sender` (visitor or business)."""
        with self._lock:
            record = {
                "seq": len(self._messages) + 1,
                "wa_id": wa_id,
                "sender": sender,
                "id": message_id,
                "status": status,
                "time": time.time(),
                **content,
            }
            self._messages.append(record)
            return dict(record)

    def set_status(self, message_id: str, status: str) -> None:
        """Mark how delivery of a message went."""
        with self._lock:
            for record in self._messages:
                if record["id"] == message_id:
                    record["status"] = status

    def chat(self, wa_id: str) -> list[dict]:
        """Return the messages of one visitor's chat, oldest first."""
        with self._lock:
            return [dict(m) for m in self._messages if m["wa_id"] == wa_id]

    def find(self, message_id: str) -> dict | None:
        """Return one message by id."""
        with self._lock:
            return next((dict(m) for m in self._messages if m["id"] == message_id), None)
