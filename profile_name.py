"""What the widget server accepts as a WhatsApp profile name: one rule for server and plugin.

Dependency-free on purpose: the server validates with it, the plugin cleans with it before sending,
so a name the plugin sends is never refused and a blank one is never sent.
"""

# Only ASCII white space makes a field blank, as the OpenAPI document says.
BLANK = " \t\n\v\f\r"
MAX_LENGTH = 200


def is_blank(value: str) -> bool:
    """Tell whether value is empty once ASCII white space is stripped."""
    return not value.strip(BLANK)


def is_clean_text(value: str) -> bool:
    """Tell whether value is Unicode text the database stores as is: no NUL, no lone surrogate."""
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def clean(value: object) -> str | None:
    """Return value as a profile name the server accepts (cut to MAX_LENGTH), or None."""
    if not isinstance(value, str) or is_blank(value) or not is_clean_text(value):
        return None
    return value[:MAX_LENGTH]
