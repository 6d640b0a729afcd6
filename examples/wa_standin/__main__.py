"""Run the stand-in: `python -m examples.wa_standin --port 7102 --webhook-url URL ...`."""

import argparse

from examples.wa_standin import DEFAULTS, create_app


def main(argv=None) -> None:
    """Parse the options and serve the stand-in until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7102)
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.lower().replace("_", "-"), default=value)
    args = parser.parse_args(argv)
    app = create_app({key: getattr(args, key.lower()) for key in DEFAULTS})
    print(f"WhatsApp stand-in on http://{args.host}:{args.port}/<number>?text=...", flush=True)
    app.run(host=args.host, port=args.port, threaded=True)


if __name__ == "__main__":
    main()
