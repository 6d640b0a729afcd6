"""Run the stand-in: `python -m examples.wa_standin --port 7102`.

One server plays both sides of WhatsApp: the visitor's chat pages and the bot's Graph API.
"""

import argparse

from werkzeug.serving import make_server

from examples.serving import serve_until_stopped
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
    print(f"WhatsApp stand-in: chats on http://{args.host}:{args.port}/<number>?text=...")
    print(f"Graph API on http://{args.host}:{args.port}/v21.0/{args.phone_number_id}/messages")
    print(f"Posting the visitor's messages to {args.webhook_url}", flush=True)
    serve_until_stopped(server)


if __name__ == "__main__":
    main()
