"""What every command shares: one way to print a result and one way to fail."""

import json
from collections.abc import Callable
from typing import Any, TypeVar

import click

from widget_server.errors import OperatorError

T = TypeVar("T")


class CliError(click.ClickException):
    """A one-line error that exits with status 2, like a usage error."""

    exit_code = 2


def emit(data: Any, text: str, as_json: bool) -> None:
    """Print data as one JSON document for scripts, or text for people."""
    click.echo(json.dumps(data) if as_json else text)


def run(function: Callable[..., T], *args: Any) -> T:
    """Call a plain function doing a command's work, turning an OperatorError into a CliError."""
    try:
        return function(*args)
    except OperatorError as error:
        raise CliError(str(error)) from None
