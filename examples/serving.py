"""Serve a stand-in until SIGINT or SIGTERM, then free its port: one way for both stand-ins."""

import signal
import threading
from socketserver import BaseServer


def serve_until_stopped(server: BaseServer) -> None:
    """Serve in this thread until SIGINT or SIGTERM, then close the listening socket."""

    def stop(*_: object) -> None:
        # shutdown() waits for serve_forever(), which runs in this very thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()
    server.server_close()
