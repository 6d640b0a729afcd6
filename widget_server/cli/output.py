"""What every command shares: one way to print a result and one way to fail."""

import json
import unicodedata
from collections.abc import Callable
from typing import Any, TypeVar

import click

from widget_server.errors import OperatorError

T = TypeVar("T")


class CliError(click.ClickException):
    """A one-line error that exits with status 2, like a usage error."""

    exit_code = 2


def printable(text: str) -> str:
    """Show text as it is, but every control or format character as a visible escape."""
    # ESC starts a terminal sequence (clear screen, window title, OSC 52 clipboard write);
    # format characters such as bidi overrides reorder what is shown.
    return "".join(_escape(char) if _hidden(char) else char for char in text)


def _hidden(char: str) -> bool:
    return char not in "\n\t" and unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp")


def _escape(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def emit(data: Any, text: str, as_json: bool) -> None:
    """Print data as one JSON document for scripts, or text for people, never raw escapes."""
    # Text can hold what others wrote: a receiver's error body, a site's name.
    click.echo(json.dumps(data) if as_json else printable(text))


def run(function: Callable[..., T], *args: Any) -> T:
    """Call a plain function doing a command's work, turning an OperatorError into a CliError."""
    try:
        return function(*args)
    except OperatorError as error:
        raise CliError(str(error)) from None
