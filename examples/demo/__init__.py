"""`make demo`: the whole handoff on one machine, with a local WhatsApp stand-in."""
