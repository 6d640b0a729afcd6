"""Conversions: per-site ad-platform destinations, fed by the outbox, sent by its worker."""
