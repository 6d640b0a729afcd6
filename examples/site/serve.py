"""Serve the example site, its script tag pointed at a widget server.

    python examples/site/serve.py --widget-url http://127.0.0.1:5000 --site <site key>

Pages are templates: `{{WIDGET_URL}}`, `{{SITE_KEY}}` and `{{NUMBER}}` are filled in on the way out.
Standard library only, so the page can be served next to any widget server.
"""

import argparse
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent
TEMPLATES = {".html", ".css"}
SERVED = TEMPLATES | {".png", ".svg", ".ico"}


class SiteServer(ThreadingHTTPServer):
    """An HTTP server for one folder of page templates."""

    daemon_threads = True

    def __init__(self, port, widget_url, site_key, number="", root=ROOT, csp=None):
        super().__init__(("127.0.0.1", port), SiteHandler)
        self.root = Path(root).resolve()
        self.values = {"WIDGET_URL": widget_url.rstrip("/"), "SITE_KEY": site_key, "NUMBER": number}
        self.csp = csp or {}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def render(self, text: str) -> str:
        """Fill the placeholders of a template."""
        for name, value in self.values.items():
            text = text.replace("{{" + name + "}}", value)
        return text

    def start(self) -> "SiteServer":
        """Serve from a background thread; return self."""
        threading.Thread(target=self.serve_forever, daemon=True).start()
        return self


class SiteHandler(BaseHTTPRequestHandler):
    """Answer GET with a rendered template, or 404."""

    server: SiteServer

    def do_GET(self):
        name = urlsplit(self.path).path.lstrip("/") or "index.html"
        path = (self.server.root / name).resolve()
        if path.parent != self.server.root or path.suffix not in SERVED or not path.is_file():
            self.send_error(404)
            return
        body = path.read_bytes()
        if path.suffix in TEMPLATES:
            body = self.server.render(body.decode()).encode()
        self.send_response(200)
        self.send_header("Content-Type", mimetypes.guess_type(name)[0] or "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if name in self.server.csp:
            policy = self.server.render(self.server.csp[name])
            self.send_header("Content-Security-Policy", policy)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


def main():
    """Parse the command line and serve until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--widget-url", default="http://127.0.0.1:5000")
    parser.add_argument("--site", required=True, help="the site key (flask --app widget_server)")
    parser.add_argument("--number", default="", help="WhatsApp number for the offline fallback")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    server = SiteServer(args.port, args.widget_url, args.site, args.number)
    print(f"Example site on {server.url} (widget server {args.widget_url})", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        server.server_close()


if __name__ == "__main__":
    main()
