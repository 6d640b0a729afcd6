"""An HTTP session whose every connection passes the SSRF guard at connect time."""

import socket

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection

from widget_server.webhooks.guard import check_address, resolve

USER_AGENT = "wa-handoff-webhooks/0.1"


class GuardedConnectionMixin:
    """Resolve the host once, check every address, connect only to a checked one."""

    def _new_conn(self) -> socket.socket:
        # Checking the name first and letting the socket resolve it again would open a window
        # for DNS rebinding; so the socket connects to the very address that was checked.
        try:
            addresses = resolve(self._dns_host, self.port)
        except socket.gaierror as error:
            raise NameResolutionError(self.host, self, error) from error
        for address in addresses:
            check_address(address)
        failure: Exception | None = None
        for address in addresses:
            try:
                sock = connection.create_connection(
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
            else:
                check_address(sock.getpeername()[0])
                return sock
        raise failure or NewConnectionError(self, f"{self.host} has no addresses")


class GuardedHTTPConnection(GuardedConnectionMixin, HTTPConnection):
    pass


class GuardedHTTPSConnection(GuardedConnectionMixin, HTTPSConnection):
    pass


class GuardedHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = GuardedHTTPConnection


class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = GuardedHTTPSConnection


class GuardedAdapter(HTTPAdapter):
    """A requests adapter whose pools use the guarded connections."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": GuardedHTTPConnectionPool,
            "https": GuardedHTTPSConnectionPool,
        }


def new_session(allow_private: bool = False) -> requests.Session:
    """Build a pooled session for webhook delivery; guarded unless private targets are allowed."""
    session = requests.Session()
    # Environment proxies would make the guard check the proxy instead of the destination.
    session.trust_env = False
    session.headers["User-Agent"] = USER_AGENT
    adapter = HTTPAdapter(pool_maxsize=4) if allow_private else GuardedAdapter(pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
