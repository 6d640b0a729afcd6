"""Drive a browser through the demo as a visitor would; used by the e2e test and screenshots.

    .venv/bin/python -m examples.demo.walkthrough docs/demo-chat.png

starts the demo on free ports, walks through it in headless Chromium and saves the chat.
"""

import sys
import tempfile
from pathlib import Path

import correlation_id
from examples.demo.stack import QUERY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def launch(playwright, args=()):
    """Launch Debian's headless Chromium with its popup blocker on, as visitors have it."""
    # Playwright turns the popup blocker off; the widget must get past it, so keep it.
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=[*CHROMIUM_ARGS, *args],
        ignore_default_args=["--disable-popup-blocking"],
    )


def visit(context, urls: dict, query: str = QUERY) -> dict:
    """Land on the site from the campaign, click the widget, send the message, await the bot."""
    site = context.new_page()
    site.goto(urls["site"] + "/" + query)
    with context.expect_page() as opened:
        site.get_by_role("button", name="Chat on WhatsApp").click()
    chat = opened.value
    chat.wait_for_url(urls["standin"] + "/*", timeout=15000)
    prefilled = chat.input_value("#composer")
    chat.click("#send")
    reply = chat.locator(".msg.business .body").first
    reply.wait_for(timeout=60000)
    return {
        "chat": chat,
        "prefilled": prefilled,
        "reference": correlation_id.find(prefilled),
        "reply": reply.inner_text(),
    }


def main(argv: list[str]) -> int:
    """Start the demo on free ports, walk through it and save a screenshot of the chat."""
    from playwright.sync_api import sync_playwright

    from examples.demo.ports import free_ports
    from examples.demo.stack import Stack

    target = Path(argv[0] if argv else "docs/demo-chat.png")
    with tempfile.TemporaryDirectory() as workdir:
        stack = Stack(free_ports(), Path(workdir))
        try:
            urls = stack.start()["urls"]
            with sync_playwright() as playwright:
                browser = launch(playwright)
                context = browser.new_context(viewport={"width": 480, "height": 400})
                visited = visit(context, urls)
                visited["chat"].wait_for_timeout(1000)
                target.parent.mkdir(parents=True, exist_ok=True)
                visited["chat"].screenshot(path=str(target))
                browser.close()
        finally:
            stack.stop()
    print(f"Saved {target}: the bot said {visited['reply']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
