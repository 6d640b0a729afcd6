"""Bench crawler detection: CrawlerDetect's maintained list against the server's own regex.

Run with the server env after `.venv/bin/pip install crawlerdetect` (it is not a dependency):
`.venv/bin/python bench/crawlers.py [--rounds N]`.
Both decide the same user agents in the same run, nine browsers to one previewer as click
traffic is: once as traffic repeats them (CrawlerDetect answers repeats from its cache) and
once all distinct (it runs its full pattern list each time). Prints the time per call, the
ratio library/regex, and the agents on which they disagree. The figures and the HTTP clients
CrawlerDetect counts as crawlers are why widget_server.clicks.crawlers keeps its regex.
"""

import argparse
import os
import sys
import timeit

sys.path[0] = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

from widget_server.clicks.crawlers import is_crawler  # noqa: E402

try:
    from crawlerdetect import CrawlerDetect
except ImportError:
    raise SystemExit(
        "bench/crawlers.py needs CrawlerDetect: .venv/bin/pip install crawlerdetect"
    ) from None

BROWSERS = [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{n} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.{n}.0 Mobile Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.{n}.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/440.0.{n}.29.99]",
]
PREVIEWERS = [
    "WhatsApp/2.23.{n}.0 A",
    "facebookexternalhit/1.{n} (+http://www.facebook.com/externalhit_uatext.php)",
    "Slackbot-LinkExpanding 1.{n} (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot) {n}",
]
# Agents on which the two are compared for their answer only.
OTHERS = [
    "meta-externalagent/1.1",
    "Mozilla/5.0 (compatible; Mastodon/4.2.0; +https://mastodon.social/)",
    "Cardyb/1.0",
    "python-requests/2.32.3",
    "curl/8.5.0",
    "okhttp/4.9.0",
]


def traffic(distinct: int) -> list[str]:
    """Nine browsers to one previewer; version numbers take up to distinct values."""
    found = []
    for n in range(2000):
        pool = PREVIEWERS if n % 10 == 9 else BROWSERS
        found.append(pool[n % len(pool)].format(n=n % distinct))
    return found


def per_call_us(detect, batch: list[str]) -> float:
    return timeit.timeit(lambda: [detect(agent) for agent in batch], number=1) / len(batch) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    library = CrawlerDetect().is_crawler
    for label, distinct in (("repeated agents", 50), ("all distinct", 0)):
        regex_us, library_us = [], []
        for round_ in range(args.rounds):
            batch = traffic(distinct or 10**9)
            if not distinct:  # fresh strings every round, so the library's cache never answers
                batch = [f"{agent} r{round_}-{i}" for i, agent in enumerate(batch)]
            regex_us.append(per_call_us(is_crawler, batch))
            library_us.append(per_call_us(library, batch))
        regex, lib = min(regex_us), min(library_us)
        print(
            f"crawler detection, {label}: CrawlerDetect {lib:.1f} us, widget_server regex "
            f"{regex:.1f} us per agent; library/regex = {lib / regex:.2f}"
        )
    sample = [agent.format(n=1) for agent in BROWSERS + PREVIEWERS] + OTHERS
    for agent in sample:
        if library(agent) != is_crawler(agent):
            print(f"  disagree: CrawlerDetect {library(agent)}, regex {is_crawler(agent)}: {agent}")


if __name__ == "__main__":
    main()
