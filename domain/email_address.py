"""Email addresses of accounts: the form one must have for Steady to send to it."""

import re

from domain.errors import DomainError

MAX_EMAIL = 254  # RFC 5321's limit on a forward path
# A local part and a domain with a dot: what mail servers accept in practice, without the
# quoted and commented forms no district hands out.
EMAIL_PATTERN = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)


def check_email(value: object, *, required: bool = True) -> str:
    """The address, trimmed, with its domain in lower case; "" when not required and empty
    (no address: nothing is emailed)."""
    if not isinstance(value, str):
        raise DomainError("an email address must be text, such as m.alvarez@riverside.example")
    email = value.strip()
    if not email and not required:
        return ""
    local, at, domain = email.rpartition("@")
    if (
        len(email) > MAX_EMAIL
        or not at
        or not EMAIL_PATTERN.match(email)
        or ".." in email
        or local.startswith(".")
        or local.endswith(".")
    ):
        shown = email if len(email) <= 60 else email[:57] + "..."
        raise DomainError(
            f"{shown!r} is not an email address: give one like m.alvarez@riverside.example "
            f"(a name, @, and the mail domain, at most {MAX_EMAIL} characters)"
        )
    return f"{local}@{domain.lower()}"
