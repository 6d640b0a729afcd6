"""WhatsApp Cloud API channel for Rasa 3.6: `plugin.whatsapp.WhatsAppInput` in credentials.yml."""

from plugin.whatsapp.channel import WhatsAppInput
from plugin.whatsapp.output import WhatsAppOutput

__all__ = ["WhatsAppInput", "WhatsAppOutput"]
