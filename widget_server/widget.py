"""Placeholder blueprint; being built."""

from flask import Blueprint

bp = Blueprint("widget", __name__)
