"""An HTTP session whose every connection passes the SSRF guard at connect time."""

import socket
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from widget_server.webhooks import deadline
from widget_server.webhooks.guard import check_address, resolve

USER_AGENT = "wa-handoff-webhooks/0.1"


class PinnedConnectionMixin(HTTPConnection):
    """Resolve the host once, check every address, connect only to a checked one."""

    allow_private = False

    def request(self, *args: Any, **kwargs: Any) -> None:
        deadline.register(self)
        super().request(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        # Checking the name first and letting the socket resolve it again would open a window
        # for DNS rebinding; so the socket connects to the very address that was checked, while
        # the Host header and TLS (SNI, certificate) keep using the host name.
        try:
            addresses = resolve(self._dns_host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        if not self.allow_private:
            for address in addresses:
                check_address(address)
        failure: Exception | None = None
        for address in addresses:
            try:
                return connection.create_connection(
                    (address, self.port),
                    self.timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
            except TimeoutError as error:
                failure = ConnectTimeoutError(self, f"Connection to {self.host} timed out")
                failure.__cause__ = error
            except OSError as error:
                failure = NewConnectionError(self, f"Failed to establish a new connection: {error}")
        raise failure or NewConnectionError(self, f"{self.host} has no addresses")


def _pools(allow: bool) -> dict[str, type[HTTPConnectionPool]]:
    """Build the pool classes of one policy."""

    class PinnedHTTPConnection(PinnedConnectionMixin, HTTPConnection):
        allow_private = allow

    class PinnedHTTPSConnection(PinnedConnectionMixin, HTTPSConnection):
        allow_private = allow

    class PinnedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = PinnedHTTPConnection

    class PinnedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = PinnedHTTPSConnection

    return {"http": PinnedHTTPConnectionPool, "https": PinnedHTTPSConnectionPool}


POOLS = {False: _pools(False), True: _pools(True)}


class PinnedAdapter(HTTPAdapter):
    """A requests adapter whose pools use the pinned, guarded connections."""

    def __init__(self, allow_private: bool = False, **kwargs: Any) -> None:
        self.allow_private = allow_private
        super().__init__(**kwargs)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOLS[self.allow_private]


def new_session(allow_private: bool = False) -> requests.Session:
    """Build a pooled session for webhook delivery; private targets only when allowed."""
    session = requests.Session()
    # Environment proxies would make the guard check the proxy instead of the destination.
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    adapter = PinnedAdapter(allow_private, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
