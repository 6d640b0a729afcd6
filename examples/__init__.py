"""Examples: a bot, a site, a webhook receiver, a WhatsApp stand-in and the demo."""
