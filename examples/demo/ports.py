"""The demo's fixed ports, each overridable by an environment variable, checked free at start."""

import os
import socket
from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Ports:
    """Where each service of the demo listens on 127.0.0.1."""

    site: int = 7100
    widget: int = 7101
    standin: int = 7102
    receiver: int = 7103
    ads: int = 7104
    rasa: int = 7105
    actions: int = 7155

    @classmethod
    def from_env(cls, environ=os.environ) -> "Ports":
        """Read DEMO_<NAME>_PORT overrides, e.g. DEMO_SITE_PORT=8100."""
        values = {}
        for field in fields(cls):
            raw = environ.get(env_name(field.name))
            if raw is None:
                continue
            if not raw.isdigit() or not 0 < int(raw) < 65536:
                raise ValueError(f"{env_name(field.name)}={raw!r} is not a port number")
            values[field.name] = int(raw)
        ports = cls(**values)
        taken = [name for name, count in _counts(ports).items() if count > 1]
        if taken:
            raise ValueError(f"two services would share port {taken[0]}: set distinct DEMO_*_PORT")
        return ports

    def taken(self) -> list[str]:
        """Describe every port already in use, with the variable that moves it."""
        return [
            f"port {port} ({name}) is in use: stop what holds it, or set {env_name(name)}"
            for name, port in self.items()
            if not is_free(port)
        ]

    def items(self) -> list[tuple[str, int]]:
        """List (service, port) pairs."""
        return [(field.name, getattr(self, field.name)) for field in fields(self)]


def env_name(service: str) -> str:
    """Name the variable that overrides a service's port."""
    return f"DEMO_{service.upper()}_PORT"


def is_free(port: int) -> bool:
    """Tell whether nothing listens on 127.0.0.1:port."""
    with socket.socket() as probe:
        # As servers do: connections of a stopped server lingering in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_ports() -> "Ports":
    """Pick distinct free ports for a run beside a running demo (the tests use this)."""
    sockets = [socket.socket() for _ in fields(Ports)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    numbers = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return Ports(*numbers)


def _counts(ports: Ports) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _, port in ports.items():
        counts[port] = counts.get(port, 0) + 1
    return counts
