"""The SSRF guard: which destinations a webhook may reach."""

import ipaddress
import socket
from urllib.parse import urlsplit

# NAT64 (RFC 6052) embeds an IPv4 address in the low 32 bits, so a private target can hide in it.
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


class BlockedDestination(Exception):
    """A webhook URL or address the guard refuses."""


def blocked_reason(address: str) -> str | None:
    """Return why an IP address is off limits, or None when it is a public unicast address."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is None and ip in NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and ip.teredo:
            embedded = ip.teredo[1]
        if embedded is not None:
            reason = blocked_reason(str(embedded))
            return f"{reason} embedded in {ip}" if reason else None
    for name in ("unspecified", "loopback", "link_local", "multicast", "private", "reserved"):
        if getattr(ip, f"is_{name}"):
            return name.replace("_", "-") + " address"
    if not ip.is_global:
        return "address not globally routable"
    return None


def check_address(address: str) -> None:
    """Raise BlockedDestination unless address is a public unicast address."""
    reason = blocked_reason(address)
    if reason:
        raise BlockedDestination(f"refusing to connect to {address}: {reason}")


def resolve(host: str, port: int) -> list[str]:
    """Resolve host to its distinct addresses, in the resolver's order."""
    infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def validate_url(url: str, allow_private: bool = False) -> str:
    """Return url if a webhook may be sent there, else raise BlockedDestination saying why."""
    if len(url) > 2000:
        raise BlockedDestination("URL is longer than 2000 characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BlockedDestination(f"URL must start with http:// or https://, not {url!r}")
    if not parts.hostname:
        raise BlockedDestination(f"URL has no host: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise BlockedDestination("URL must not carry credentials; authenticate with the signature")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise BlockedDestination(f"URL has an invalid port: {error}") from None
    if allow_private:
        return url
    try:
        addresses = resolve(parts.hostname, port)
    except (socket.gaierror, UnicodeError) as error:
        raise BlockedDestination(f"host {parts.hostname!r} does not resolve ({error})") from None
    for address in addresses:
        check_address(address)
    return url
