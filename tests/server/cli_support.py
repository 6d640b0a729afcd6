"""Helpers of the CLI tests: read a command's JSON answer."""

import json


def json_of(result):
    """Return the JSON a successful command printed."""
    assert result.exit_code == 0, result.output
    return json.loads(result.output)
