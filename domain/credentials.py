"""Usernames and passwords: the form a username takes and the rule for a new password. Secrets
never reach the domain beyond this: an account records only a password's argon2id hash."""

import re

from domain.errors import DomainError

USERNAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024


def normalise_username(username: object) -> str:
    return username.strip().lower() if isinstance(username, str) else ""


def check_username(username: object) -> str:
    name = normalise_username(username)
    if not USERNAME_PATTERN.match(name):
        raise DomainError(
            f"username {username!r} is not valid: use 1 to 64 lowercase letters, digits, dots, "
            "hyphens or underscores, starting and ending with a letter or digit, such as m.alvarez"
        )
    return name


def check_password(password: object, username: str = "") -> str:
    """The rule for new passwords; the clear text itself never enters an event."""
    if not isinstance(password, str):
        raise DomainError("the password must be text")
    if len(password) < MIN_PASSWORD:
        raise DomainError(
            f"the password is too short: use at least {MIN_PASSWORD} characters "
            "(a few unrelated words make a good one)"
        )
    if len(password) > MAX_PASSWORD:
        raise DomainError(f"the password is too long: use at most {MAX_PASSWORD} characters")
    if not password.strip():
        raise DomainError("the password must not be only spaces")
    if username and password.strip().lower() == username.lower():
        raise DomainError("the password must not be the username")
    return password


def check_password_hash(password_hash: str) -> str:
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2id$"):
        raise DomainError("passwords are stored only as argon2id hashes")
    return password_hash
