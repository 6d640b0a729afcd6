"""Placeholder blueprint; being built."""

from flask import Blueprint

bp = Blueprint("openapi", __name__)
