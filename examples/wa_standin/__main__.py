"""Run the stand-in: `python -m examples.wa_standin --port 7102`.

One server plays both sides of WhatsApp: the visitor's chat pages and the bot's Graph API.
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
    parser.add_argument("--port", type=int, default=7102, help="chat pages and Graph API")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.lower().replace("_", "-"), default=value)
    args = parser.parse_args(argv)
    app = create_app({key: getattr(args, key.lower()) for key in DEFAULTS})
    server = make_server(args.host, args.port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"WhatsApp stand-in: chats on http://{args.host}:{args.port}/<number>?text=...")
    print(f"Graph API on http://{args.host}:{args.port}/v21.0/{args.phone_number_id}/messages")
    print(f"Posting the visitor's messages to {args.webhook_url}", flush=True)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
