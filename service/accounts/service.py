"""Accounts and sign-in, kept in the same event store as the incidents.

Accounts is made of its commands (service.accounts.commands), its queries
(service.accounts.queries) and sign-in (service.accounts.sign_in: passwords, and API tokens
from service.accounts.tokens; failures counted by service.accounts.throttle). Sessions are
ended by an account event (Account.SessionsEnded), recorded at sign-out, at a new password and
when the account is disabled.

Who may call the commands here (an admin, for most of them) is decided at the edge, with
service.access.permissions; the actor passed in is recorded on every event.
"""

from typing import Any

from argon2 import PasswordHasher

from domain.account import Account
from domain.organisation import Organisation
from service.accounts.changes import AccountChanges
from service.accounts.commands import AccountCommands
from service.accounts.sign_in import SignIn
from service.accounts.throttle import SignInThrottle
from service.incidents.application import Steady


class Accounts(AccountCommands, SignIn):
    """Organisations and accounts: commands, queries and sign-in."""

    def __init__(
        self,
        steady: Steady,
        *,
        hasher: PasswordHasher | None = None,
        throttle: SignInThrottle | None = None,
    ) -> None:
        self.steady = steady
        self.hasher = hasher or PasswordHasher()  # argon2id with RFC 9106's parameters
        self.throttle = throttle or SignInThrottle(clock=steady.clock)
        self._dummy_hash = ""
        self._token_accounts = {}
        self._changes = AccountChanges(steady)


def account_view(account: Account) -> dict[str, Any]:
    """What may be shown of an account: never a hash or a secret."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "organisation": account.organisation,
        "roles": list(account.roles),
        "positions": list(account.positions),
        "schools": list(account.schools),
        "email": account.email,
        "disabled": account.disabled,
        "has_password": account.has_password,
        "created_at": account.created_on.isoformat(),
        "created_by": str(account.created_by),
        "tokens": [
            {
                "id": t.token_id,
                "label": t.label,
                "issued_at": t.issued_at.isoformat(),
                "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
            }
            for t in account.tokens.values()
        ],
    }


def organisation_view(organisation: Organisation) -> dict[str, Any]:
    view: dict[str, Any] = {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "stands_in": list(organisation.stands_in),
    }
    if organisation.kind == "school":  # until an admin sets them, the default school day
        hours = organisation.school_hours
        view["school_hours"] = {"start": f"{hours.start:%H:%M}", "end": f"{hours.end:%H:%M}"}
    return view
