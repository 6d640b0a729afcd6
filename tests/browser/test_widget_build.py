"""The served widget.js is exactly the build of its readable source, with the pinned terser."""

import subprocess

import pytest

from scripts.build_widget import ROOT, SERVED, BuildError, build

# ES2019 is what the README's browser floor (Chrome and Edge 73, Firefox 101, Safari 16.4) parses;
# `??`, `?.` and `??=` are later.
PARSE = "const [file] = process.argv.slice(1); require('acorn').parse("
PARSE += "require('fs').readFileSync(file, 'utf8'), {ecmaVersion: 2019})"


def test_the_committed_widget_is_the_build_of_its_source():
    try:
        built = build()
    except BuildError as error:
        pytest.fail(str(error))
    assert SERVED.read_bytes() == built, "static/widget.js is stale: run `make widget`"


def test_the_served_widget_parses_as_es2019():
    done = subprocess.run(
        ["node", "-e", PARSE, str(SERVED)], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr or "run `npm ci` (make setup-node)"


def test_newer_syntax_is_refused_by_that_check(tmp_path):
    newer = tmp_path / "newer.js"
    newer.write_text("window.x ??= 1;\n")
    done = subprocess.run(["node", "-e", PARSE, str(newer)], cwd=ROOT, capture_output=True)
    assert done.returncode != 0
