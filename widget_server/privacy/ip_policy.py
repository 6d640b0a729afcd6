"""The IP policy of a site, applied to the click before anything about it is written."""

import ipaddress

# As Matomo and Shlink: the network still places a visitor roughly, but no longer a household.
KEPT_BITS = {4: 24, 6: 48}


def apply_ip_policy(policy: str, address: str | None) -> str | None:
    """Return what the site keeps of address: all of it (full), its network (truncated), or None."""
    if address is None or policy not in ("full", "truncated"):
        return None  # an unknown policy keeps nothing: failing closed is the safe side here
    if policy == "full":
        return address
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:203.0.113.7 is an IPv4 visitor; its /48 would be "::"
    dropped = ip.max_prefixlen - KEPT_BITS[ip.version]
    # Integer arithmetic also drops an IPv6 zone id, which the network would not accept.
    return str(type(ip)((int(ip) >> dropped) << dropped))
