"""Placeholder blueprint; being built."""

from flask import Blueprint

bp = Blueprint("correlations", __name__)
