"""Run the demo until Ctrl-C: `python -m examples.demo [--dir instance/demo]`."""

import argparse
import signal
import sys
from pathlib import Path

from examples.demo.ports import Ports
from examples.demo.processes import StartupError
from examples.demo.stack import REPO, Stack


class Stop(Exception):
    """SIGINT or SIGTERM arrived."""


def _raise_stop(signum, frame):
    raise Stop(signal.Signals(signum).name)


def main(argv=None) -> int:
    """Start the stack, print the URL to open, and stop everything on SIGINT or SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dir", type=Path, default=REPO / "instance" / "demo")
    args = parser.parse_args(argv)
    try:
        ports = Ports.from_env()
    except ValueError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 2
    stack = Stack(ports, args.dir, say=lambda line: print(line, flush=True), echo_webhooks=True)
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        state = stack.start()
        print(f"\nReady. Open {state['site_url']}", flush=True)
        print("Click the WhatsApp button, press send, and watch the bot name the campaign.")
        print(f"Widget server {state['urls']['widget']}, API key {state['api_key']}")
        login = state["dashboard"]
        print(f"Dashboard {login['url']} (sign in as {login['email']}, {login['password']})")
        print(f"Logs in {state['logs']}; webhook events are shown here as they arrive.")
        print("Ctrl-C stops everything.", flush=True)
        signal.pause()
    except Stop as stop:
        print(f"\n{stop}: stopping the demo...", flush=True)
    except StartupError as error:
        print(f"demo: {error}", file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        stack.stop()
        print("Demo stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
