"""API tokens: shown once as ``stdy_<token id>_<secret>``; the store keeps only the token id
and the SHA-256 digest of the secret. Who may issue one for an account."""

import hashlib
import re
import secrets

from domain.account import Account
from domain.people import Actor
from service.access.permissions import Forbidden

TOKEN_PREFIX = "stdy"
TOKEN_PATTERN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{12}})_([0-9a-f]{{48}})$")


def check_may_issue_token(account: Account, actor: Actor) -> None:
    """Raises Forbidden unless the actor may issue a token for the account."""
    if actor.user == account.username or not account.has_password:
        return
    raise Forbidden(
        f"only {account.username} can issue an API token for their account, signed in with "
        "their own password (on the page Your API tokens, or `steady users token "
        f"{account.username}` with their password): a token issued by someone else would let "
        "them act as this person. Admins issue tokens only for accounts made for scripts, "
        "which have no password"
    )


def token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def token_id_of(token: str) -> str | None:
    """The public id of a well-formed API token, or None."""
    match = TOKEN_PATTERN.match(token.strip()) if isinstance(token, str) else None
    return match.group(1) if match else None


def new_token() -> tuple[str, str, str]:
    """(token id, secret, the whole token as shown once)."""
    token_id, secret = secrets.token_hex(6), secrets.token_hex(24)
    return token_id, secret, f"{TOKEN_PREFIX}_{token_id}_{secret}"
