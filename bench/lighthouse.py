"""Score the example site's landing page with Lighthouse, with the widget and without it.

Lighthouse (npm, pinned in bench/lighthouse/package-lock.json) drives Debian's Chromium over the
page served on 127.0.0.1, its default mobile profile with simulated throttling. The baseline,
measured in the same run, is the same page without the script tag; the figure is the
performance score with the widget divided by the score without it (goal: 1.0).
"""

import json
import logging
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from werkzeug.serving import make_server

from examples.site.serve import ROOT as SITE
from examples.site.serve import SiteServer
from widget_server import create_app
from widget_server.db import db
from widget_server.models import Site

HERE = Path(__file__).resolve().parent / "lighthouse"
LIGHTHOUSE = HERE / "node_modules" / "lighthouse" / "cli" / "index.js"
CHROMIUM = "/usr/bin/chromium"
RUNS = 3
# Nothing leaves the machine: every name but the loopback addresses resolves nowhere.
RULES = "--host-resolver-rules='MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'"
CHROME_FLAGS = f"--headless=new --no-sandbox --disable-gpu {RULES}"


def score(url: str) -> tuple[float, int]:
    """Run Lighthouse once; return the performance score (0 to 1) and the bytes transferred."""
    command = [
        "node", str(LIGHTHOUSE), url, "--only-categories=performance", "--output=json",
        "--output-path=stdout", "--quiet", f"--chrome-flags={CHROME_FLAGS}",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": CHROMIUM}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"lighthouse failed: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    transferred = report["audits"]["total-byte-weight"]["numericValue"]
    return report["categories"]["performance"]["score"], int(transferred)


def serve(app) -> str:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def main() -> None:
    """Print the median scores of both pages and their ratio."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if not LIGHTHOUSE.is_file():
        raise SystemExit(f"{LIGHTHOUSE} is missing: run `npm ci --prefix {HERE}` (make bench)")
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"{CHROMIUM} is missing: run `apt-get install chromium`")
    with tempfile.TemporaryDirectory() as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{scratch}/bench.db"})
        with app.app_context():
            db.create_all()
            site = Site(key=Site.new_key(), name="Bench", whatsapp_number="15551234567")
            db.session.add(site)
            db.session.commit()
            key = site.key
        widget_url = serve(app)
        bare = Path(scratch) / "bare"
        shutil.copytree(SITE, bare)
        index = bare / "index.html"
        lines = index.read_text().splitlines(keepends=True)
        index.write_text("".join(line for line in lines if "widget.js" not in line))
        pages = {
            "with widget": SiteServer(0, widget_url, key, "15551234567", SITE).start(),
            "without": SiteServer(0, widget_url, key, "15551234567", bare).start(),
        }
        results: dict[str, list[tuple[float, int]]] = {name: [] for name in pages}
        for _ in range(RUNS):  # interleaved, so that the machine's noise hits both alike
            for name, server in pages.items():
                results[name].append(score(f"{server.url}/index.html?utm_source=bench"))
    medians, weights = {}, {}
    for name, runs in results.items():
        medians[name] = statistics.median(run[0] for run in runs)
        weights[name] = statistics.median(run[1] for run in runs)
        scores = " ".join(f"{run[0] * 100:.0f}" for run in runs)
        print(f"lighthouse performance {name:12s} {medians[name] * 100:5.0f}  (runs: {scores})")
    for name, weight in weights.items():
        print(f"bytes transferred {name:12s}  {weight:7.0f}")
    ratio = medians["with widget"] / medians["without"]
    print(f"ratio score with widget/without     {ratio:5.2f}  (goal: 1.00)")
    print(f"ratio bytes with widget/without     {weights['with widget'] / weights['without']:5.2f}")


if __name__ == "__main__":
    sys.exit(main())
