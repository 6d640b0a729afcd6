"""The Rasa side of wa-handoff: a WhatsApp Cloud API channel and the attribution actions."""
