"""Run the ad-platform stand-ins: `python -m examples.ads_standin --port 7104`."""

import argparse

from werkzeug.serving import WSGIRequestHandler, make_server

from examples.ads_standin import DEFAULTS, create_app
from examples.serving import serve_until_stopped


class Quiet(WSGIRequestHandler):
    """Log no request line: GA4's carries its api_secret in the query."""

    def log_request(self, *args) -> None:
        pass


def main(argv=None) -> None:
    """Parse the options and serve the stand-ins until interrupted."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=7104)
    parser.add_argument("--print", action="store_true", help="print each conversion received")
    for key, value in DEFAULTS.items():
        parser.add_argument("--" + key.lower().replace("_", "-"), default=value)
    args = parser.parse_args(argv)
    app = create_app({**{key: getattr(args, key.lower()) for key in DEFAULTS}, "PRINT": args.print})
    server = make_server(args.host, args.port, app, threaded=True, request_handler=Quiet)
    base = f"http://{args.host}:{args.port}"
    print(f"Meta CAPI on {base}/v26.0/<dataset id>/events")
    print(f"Google Data Manager on {base}/v1/events:ingest (token endpoint {base}/token)")
    print(f"GA4 Measurement Protocol on {base}/mp/collect; received so far: {base}/_received")
    serve_until_stopped(server)


if __name__ == "__main__":
    main()
