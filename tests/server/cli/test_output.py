"""What every command shares: one way to print, one way to fail."""

import json

import click
import pytest
from click.testing import CliRunner

from widget_server.cli.output import CliError, emit, printable, run
from widget_server.errors import OperatorError


@click.command()
@click.option("--json", "as_json", is_flag=True)
@click.option("--fail", is_flag=True)
def demo(as_json, fail):
    def work(n):
        if fail:
            raise OperatorError("no such thing")
        return {"n": n}

    data = run(work, 3)
    emit(data, f"n is {data['n']}", as_json)


def test_emit_prints_text_for_people_and_json_for_scripts():
    runner = CliRunner()
    assert runner.invoke(demo).output == "n is 3\n"
    assert json.loads(runner.invoke(demo, ["--json"]).output) == {"n": 3}


def test_an_operator_error_is_one_line_and_exit_status_2():
    result = CliRunner().invoke(demo, ["--fail"])
    assert result.exit_code == 2
    assert result.output == "Error: no such thing\n"


def test_other_errors_are_not_hidden():
    def broken():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        run(broken)
    assert CliError.exit_code == 2


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("clear\x1b[2J", "clear\\x1b[2J"),
        ("title\x1b]0;pwned\x07", "title\\x1b]0;pwned\\x07"),
        ("clip\x1b]52;c;ZXZpbA==\x1b\\", "clip\\x1b]52;c;ZXZpbA==\\x1b\\"),
        ("c1\x9b2J", "c1\\x9b2J"),
        ("bidi\u202egnp.exe", "bidi\\u202egnp.exe"),
        ("lines\nand\ttabs stay, ünïcode too", "lines\nand\ttabs stay, ünïcode too"),
    ],
)
def test_printable_shows_escapes_instead_of_running_them(text, shown):
    assert printable(text) == shown
