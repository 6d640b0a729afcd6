"""Build the served static/widget.js from its readable source with the pinned terser."""

import re
import subprocess
import sys
from pathlib import Path

from click_ids import CLICK_IDS

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "static" / "src" / "widget.js"
SERVED = ROOT / "static" / "widget.js"
TERSER = ROOT / "node_modules" / "terser" / "bin" / "terser"


class BuildError(RuntimeError):
    """The build's tools are missing or failed; the message says how to fix it."""


def tracked_pattern() -> str:
    """Return the widget's regex literal of the names it keeps: any `utm_*`, and the click ids."""
    names = "|".join(re.escape(name.lower()) for name in CLICK_IDS)
    return f"/^(utm_.+|{names})$/i"


def build() -> bytes:
    """Return the minified widget, with the click-id names of click_ids.py defined into it."""
    # No preamble: each byte counts against the budget; the README says where the source is.
    if not TERSER.is_file():
        raise BuildError(f"{TERSER} is missing: run `npm ci` in {ROOT} (make setup-node)")
    command = [
        "node", str(TERSER), str(SOURCE),
        "--compress", "passes=2", "--mangle", "--comments", "false",
        "--define", f"TRACKED={tracked_pattern()}",
    ]  # fmt: skip
    try:
        done = subprocess.run(command, capture_output=True, check=False, cwd=ROOT)
    except FileNotFoundError as error:
        raise BuildError("node is missing: run `apt-get install nodejs npm`") from error
    if done.returncode != 0:
        raise BuildError(f"terser failed: {done.stderr.decode(errors='replace')}")
    return done.stdout


def main() -> int:
    """Write static/widget.js; with --check, only say whether it is the build of the source."""
    try:
        built = build()
    except BuildError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    if "--check" in sys.argv[1:]:
        if SERVED.read_bytes() != built:
            print("static/widget.js is not the build of static/src/widget.js: run `make widget`")
            return 1
        return 0
    SERVED.write_bytes(built)
    print(f"wrote {SERVED.relative_to(ROOT)} ({len(built)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
