"""The visitor's IP address, trusting X-Forwarded-For only as far as the configured proxies."""

import ipaddress


def client_ip(remote_addr: str | None, forwarded_for: str | None, proxies: int) -> str | None:
    """Return the client address as seen by the outermost of the trusted proxies."""
    # As werkzeug's ProxyFix: with n trusted proxies the n-th hop from the right of
    # X-Forwarded-For is the client; anything further left was written by the client itself.
    address = remote_addr
    if proxies > 0 and forwarded_for:
        hops = [hop.strip() for hop in forwarded_for.split(",")]
        if len(hops) >= proxies:
            address = hops[-proxies]
    return _valid(address) or _valid(remote_addr)


def _valid(address: str | None) -> str | None:
    if not address:
        return None
    try:
        text = str(ipaddress.ip_address(address))
    except ValueError:
        return None
    return text if len(text) <= 45 else None  # a long IPv6 zone id would not fit the column
