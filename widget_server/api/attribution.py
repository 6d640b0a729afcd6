"""Placeholder blueprint; being built."""

from flask import Blueprint

bp = Blueprint("attribution", __name__)
