"""Email addresses of accounts: the form one must have for Steady to send to it."""

import re

from domain.errors import DomainError

MAX_EMAIL = 254  # RFC 5321's limit on a forward path
# A dot-atom local part and a domain of two labels or more: what mail servers accept in
# practice, without the quoted and commented forms no district hands out. The API's document
# declares the same pattern (web.accounts.my_account).
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
EMAIL_PATTERN = re.compile(rf"^{_ATOM}(?:\.{_ATOM})*@{_LABEL}(?:\.{_LABEL})+$")


def check_email(value: object, *, required: bool = True) -> str:
    """The address, trimmed, with its domain in lower case; "" when not required and empty
    (no address: nothing is emailed)."""
    if not isinstance(value, str):
        raise DomainError("an email address must be text, such as m.alvarez@riverside.example")
    email = value.strip()
    if not email and not required:
        return ""
    if len(email) > MAX_EMAIL or not EMAIL_PATTERN.match(email):
        shown = email if len(email) <= 60 else email[:57] + "..."
        raise DomainError(
            f"{shown!r} is not an email address: give one like m.alvarez@riverside.example "
            f"(a name, @, and the mail domain, at most {MAX_EMAIL} characters)"
        )
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"
