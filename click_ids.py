"""The ad platforms' click ids attribution keeps: one list for the server, plugin and widget."""

# Spelled as the platforms spell them; matching is case-insensitive everywhere.
CLICK_IDS: tuple[str, ...] = (
    "gclid", "gbraid", "wbraid", "gclsrc", "dclid", "fbclid", "msclkid", "ttclid",
    "li_fat_id", "twclid", "yclid", "ScCid", "epik", "rdt_cid", "igshid", "mc_cid",
    "irclickid", "qclid", "wickedid", "_kx",
)  # fmt: skip

# Click-to-WhatsApp ads: Meta's click id, carried by a message's referral rather than a page URL.
CTWA_CLID = "ctwa_clid"
