"""The external HTTP API under /integrations/external."""
