"""Run the stand-in: `python -m examples.wa_standin --port 7104 [--tls-port 7102 --cert C --key K]`.

The widget only follows https:// links, as wa.me is; `--tls-port` serves the same app over TLS
for the visitor's page, while the bot reaches the Graph API on the plain `--port`.
"""

import argparse
import signal
import threading

from werkzeug.serving import make_server

from examples.wa_standin import DEFAULTS, create_app


def main(argv=None) -> None:
    """Parse the options and serve the stand-in until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7104, help="plain HTTP: Graph API and page")
    parser.add_argument("--tls-port", type=int, help="HTTPS for the page; needs --cert, --key")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.lower().replace("_", "-"), default=value)
    args = parser.parse_args(argv)
    if args.tls_port and not (args.cert and args.key):
        parser.error("--tls-port needs --cert and --key")
    app = create_app({key: getattr(args, key.lower()) for key in DEFAULTS})
    servers = [make_server(args.host, args.port, app, threaded=True)]
    if args.tls_port:
        tls = (args.cert, args.key)
        servers.append(make_server(args.host, args.tls_port, app, threaded=True, ssl_context=tls))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    pages = (
        f"https://{args.host}:{args.tls_port}"
        if args.tls_port
        else f"http://{args.host}:{args.port}"
    )
    print(f"WhatsApp stand-in: chats on {pages}/<number>?text=...", flush=True)
    print(f"Graph API on http://{args.host}:{args.port}/v21.0/{args.phone_number_id}/messages")
    print(f"Posting the visitor's messages to {args.webhook_url}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    for server in servers:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
