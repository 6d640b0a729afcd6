"""Examples: bot, site, webhook receiver, WhatsApp and ad stand-ins, the demo, `make run`."""
