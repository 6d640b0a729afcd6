"""The CLI suite's fixture: run a command against the test app."""

import pytest


@pytest.fixture
def run(app):
    """Return a function that runs a CLI command and returns its result."""
    runner = app.test_cli_runner()

    def invoke(*args):
        return runner.invoke(args=list(args))

    return invoke
