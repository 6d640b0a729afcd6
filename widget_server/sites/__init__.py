"""The tenants: sites that embed the widget and their API keys, managed as plain functions."""
