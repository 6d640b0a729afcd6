"""The external HTTP API under /integrations/external, and the OpenAPI document describing it."""
