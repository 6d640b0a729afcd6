"""The two Rasa-side extras, installed into fresh environments: nothing of the server's stack."""

import json
import re
import subprocess
import sys

import pytest
from support import ROOT

# Runs inside the slim environment: an action, as rasa_sdk's executor would run it.
ACTION = """
import asyncio, importlib.util, json
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
import plugin.actions as actions

text = "Reference: O-aB3dE9z (Please send this reference number, it helps us find your request)"
user = {"event": "user", "text": "/greet", "metadata": {"correlation_id": "O-aB3dE9z"}}
tracker = Tracker("15550001111", {}, user, [user], False, None, {}, "action_listen")
domain = {"slots": {"correlation_id": {}, "utm_campaign": {}}}
events = asyncio.run(actions.ActionAttributionSlots().run(CollectingDispatcher(), tracker, domain))
print(json.dumps({"events": events, "flask": importlib.util.find_spec("flask") is not None,
                  "rasa": importlib.util.find_spec("rasa") is not None}))
"""


def venv(path):
    """Create a fresh virtual environment at path; return its bin directory."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    return path / "bin"


def pip(bin_dir, *args):
    """Run pip of the environment; fail with its output."""
    done = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", *args], capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        pytest.fail(f"pip {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


@pytest.mark.timeout(900)
def test_the_actions_extra_on_rasa_sdk_3_6_2_imports_the_actions_and_runs_one(tmp_path):
    bin_dir = venv(tmp_path / "actions")
    pip(bin_dir, "install", "-q", "rasa-sdk==3.6.2", f"{ROOT}[actions]")
    done = subprocess.run(
        [str(bin_dir / "python"), "-c", ACTION], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[-1])
    assert answer["events"] == [
        {"event": "slot", "timestamp": None, "name": "correlation_id", "value": "O-aB3dE9z"}
    ]
    assert (answer["flask"], answer["rasa"]) == (False, False)
    freeze = pip(bin_dir, "freeze").splitlines()
    installed = {re.split(r"==| @ ", line)[0].lower().replace("_", "-") for line in freeze}
    assert {"rasa-sdk", "aiohttp", "wa-handoff"} <= installed
    assert not installed & {"flask", "sqlalchemy", "psycopg", "rasa", "tensorflow"}


@pytest.mark.timeout(900)
def test_the_channel_extra_resolves_with_rasa_3_6_20_and_no_flask(tmp_path):
    bin_dir = venv(tmp_path / "channel")
    report = tmp_path / "report.json"
    pip(bin_dir, "install", "-q", "--dry-run", "--report", str(report), "rasa==3.6.20",
        f"{ROOT}[rasa]")  # fmt: skip
    found = {i["metadata"]["name"].lower(): i["metadata"]["version"] for i in
             json.loads(report.read_text())["install"]}  # fmt: skip
    assert found["rasa"] == "3.6.20"
    assert "wa-handoff" in found
    assert not set(found) & {"flask", "flask-sqlalchemy", "psycopg", "gunicorn"}
