"""The served widget.js is exactly the build of its readable source, with the pinned terser."""

import pytest

from scripts.build_widget import SERVED, BuildError, build


def test_the_committed_widget_is_the_build_of_its_source():
    try:
        built = build()
    except BuildError as error:
        pytest.fail(str(error))
    assert SERVED.read_bytes() == built, "static/widget.js is stale: run `make widget`"
