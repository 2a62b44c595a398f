"""People who sign in to Steady: their organisation, roles, password hash and API tokens.

Every change is an event that records who made it and when, so an auditor can see who granted
what. Secrets never reach the domain: it receives a password's argon2id hash and an API token's
SHA-256 digest, computed by the service layer. Ids derive from the username with the store's key
(accounts: the service gives the id; accounts stored before keep their unkeyed one), the token's
public id (token lookups) or a fixed name (the admin roster); event class names are generic.
Nothing personal appears in either.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import Conflict, DomainError
from domain.incident import STEADY_NAMESPACE, check_text
from domain.organisation import Organisation, check_slug
from domain.people import Actor

ROLES: dict[str, str] = {
    "admin": "manages accounts, roles and API tokens",
    "crisis-lead": "opens, closes and reopens incidents, applies playbooks, assigns tasks",
    "responder": "updates the tasks of their position or assigned to them, adds notes",
    "district-leader": "sees every incident; writes nothing but notes",
    "partner": "sees only what is shared with their organisation; updates its tasks",
    "auditor": "reads everything, including replay, timelines and exports; changes nothing",
}
PARTNER_ROLE = "partner"
ADMIN_ROLE = "admin"
USERNAME_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$")
POSITION_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
TOKEN_ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
MAX_LABEL = 100
MAX_ACTIVE_TOKENS = 20


class AlreadyExists(Conflict):
    """The username (or organisation id) is taken."""


class LastAdmin(DomainError):
    """The change would leave no enabled account that can manage accounts."""


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


def check_role(role: object) -> str:
    if role not in ROLES:
        raise DomainError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return str(role)


def check_roles(roles: object) -> list[str]:
    if isinstance(roles, str) or not isinstance(roles, list | tuple | set | frozenset):
        raise DomainError(f"roles must be a list of roles from: {', '.join(ROLES)}")
    checked = {check_role(r) for r in roles}
    if not checked:
        raise DomainError(f"give the account at least one role: {', '.join(ROLES)}")
    return [r for r in ROLES if r in checked]


def check_positions(positions: object) -> list[str]:
    """Positions are the school-team jobs a person covers (counselor, principal, ...): the owner
    roles of playbook steps, which decide which tasks a responder may update."""
    if isinstance(positions, str) or not isinstance(positions, list | tuple | set | frozenset):
        raise DomainError("positions must be a list, such as ['counselor']")
    checked: list[str] = []
    for position in positions:
        value = position.strip().lower() if isinstance(position, str) else ""
        if not POSITION_PATTERN.match(value) or len(value) > 64:
            raise DomainError(
                f"position {position!r} is not valid: use lowercase words joined by hyphens, "
                "such as counselor or school-psychologist"
            )
        if value not in checked:
            checked.append(value)
    return checked


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


def check_roles_fit_organisation(roles: list[str], organisation_kind: str) -> None:
    """A partner account belongs to a partner organisation, and a partner organisation's people
    hold only the partner role: otherwise an agency's staff could see the whole district."""
    if organisation_kind == "partner":
        others = [r for r in roles if r != PARTNER_ROLE]
        if others:
            raise DomainError(
                f"people of a partner organisation hold only the partner role, not "
                f"{', '.join(others)}; add a district or school account for that work"
            )
    elif PARTNER_ROLE in roles:
        raise DomainError(
            f"the partner role is for people of a partner organisation, not a {organisation_kind}"
            "; create the account in the partner's organisation"
        )


def _check_password_hash(password_hash: str) -> str:
    if not isinstance(password_hash, str) or not password_hash.startswith("$argon2id$"):
        raise DomainError("passwords are stored only as argon2id hashes")
    return password_hash


@dataclass
class ApiToken:
    """A personal API token as stored: its public id and the SHA-256 digest of its secret."""

    token_id: str
    label: str
    secret_digest: str
    issued_at: datetime
    issued_by: Actor
    revoked_at: datetime | None = None
    revoked_by: Actor | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class Account(Aggregate):
    """One person. The username is unique (the id derives from it) and never changes."""

    class Event(Aggregate.Event):
        NAME = "account_event"

        actor: dict[str, str]

        @property
        def by(self) -> Actor:
            return Actor.from_dict(self.actor)

    class Created(Event, Aggregate.Created):
        NAME = "account_created"

        username: str
        display_name: str
        organisation: str
        organisation_kind: str
        roles: list[str]
        positions: list[str]

    class RoleGranted(Event):
        NAME = "role_granted"

        role: str

        def apply(self, account: "Account") -> None:
            account.roles = [r for r in ROLES if r in {*account.roles, self.role}]

    class RoleRevoked(Event):
        NAME = "role_revoked"

        role: str

        def apply(self, account: "Account") -> None:
            account.roles = [r for r in account.roles if r != self.role]

    class PositionsSet(Event):
        NAME = "positions_set"

        positions: list[str]

        def apply(self, account: "Account") -> None:
            account.positions = list(self.positions)

    class SchoolsSet(Event):
        """The schools a person works for besides their own organisation (a counselor shared
        by two schools, a district psychologist): their incidents are the person's to see."""

        NAME = "schools_set"

        schools: list[str]  # organisation ids of schools

        def apply(self, account: "Account") -> None:
            account.schools = list(self.schools)

    class PasswordSet(Event):
        NAME = "password_set"

        password_hash: str
        rehash: bool  # True when only the hashing parameters changed, not the password

        def apply(self, account: "Account") -> None:
            account.password_hash = self.password_hash
            if not self.rehash:
                account.password_set_at = self.timestamp

    class Disabled(Event):
        NAME = "account_disabled"

        reason: str

        def apply(self, account: "Account") -> None:
            account.disabled = True

    class Enabled(Event):
        NAME = "account_enabled"

        def apply(self, account: "Account") -> None:
            account.disabled = False

    class TokenIssued(Event):
        NAME = "token_issued"

        token_id: str
        label: str
        secret_digest: str

        def apply(self, account: "Account") -> None:
            account.tokens[self.token_id] = ApiToken(
                self.token_id, self.label, self.secret_digest, self.timestamp, self.by
            )

    class TokenRevoked(Event):
        NAME = "token_revoked"

        token_id: str

        def apply(self, account: "Account") -> None:
            token = account.tokens[self.token_id]
            token.revoked_at, token.revoked_by = self.timestamp, self.by

    class SessionsEnded(Event):
        """Every browser session of the account signed in before this one ends: a session
        carries the account's count of these from its sign-in, and must still match it."""

        NAME = "sessions_ended"

        reason: str

        def apply(self, account: "Account") -> None:
            account.sessions_ended += 1

    # -- creation -----------------------------------------------------------------------------

    @staticmethod
    def id_for(username: str) -> UUID:
        """The id accounts were stored under before ids were keyed: anyone can compute it from
        a username. New accounts get an id the service derives with the store's key; these old
        ones stay readable."""
        return uuid5(STEADY_NAMESPACE, f"account/{check_username(username)}")

    @classmethod
    def create(
        cls,
        *,
        username: str,
        display_name: str,
        organisation: Organisation,
        roles: list[str] | tuple[str, ...],
        positions: list[str] | tuple[str, ...] = (),
        actor: Actor,
        at: datetime,
        account_id: UUID | None = None,
    ) -> "Account":
        username = check_username(username)
        checked_roles = check_roles(roles)
        check_roles_fit_organisation(checked_roles, organisation.kind)
        return cls._create(
            cls.Created,
            id=account_id or cls.id_for(username),
            timestamp=at,
            actor=actor.as_dict(),
            username=username,
            display_name=check_text("display name", display_name, limit=200),
            organisation=organisation.slug,
            organisation_kind=organisation.kind,
            roles=checked_roles,
            positions=check_positions(positions),
        )

    def __init__(
        self,
        *,
        username: str,
        display_name: str,
        organisation: str,
        organisation_kind: str,
        roles: list[str],
        positions: list[str],
        actor: dict[str, Any],
    ) -> None:
        self.username = username
        self.display_name = display_name
        self.organisation = organisation
        self.organisation_kind = organisation_kind
        self.roles = list(roles)
        self.positions = list(positions)
        self.schools: list[str] = []  # schools given (ids); set by SchoolsSet, none at first
        self.created_by = Actor.from_dict(actor)
        self.password_hash = ""
        self.password_set_at: datetime | None = None
        self.disabled = False
        self.tokens: dict[str, ApiToken] = {}
        self.sessions_ended = 0

    # -- commands -----------------------------------------------------------------------------

    def grant_role(self, role: str, *, actor: Actor, at: datetime) -> None:
        role = check_role(role)
        if role in self.roles:
            raise DomainError(f"{self.username} already has the role {role}")
        check_roles_fit_organisation([*self.roles, role], self.organisation_kind)
        self._record(self.RoleGranted, actor, at, role=role)

    def revoke_role(self, role: str, *, actor: Actor, at: datetime) -> None:
        role = check_role(role)
        if role not in self.roles:
            raise DomainError(f"{self.username} does not have the role {role}")
        if self.roles == [role]:
            raise DomainError(
                f"{role} is the only role of {self.username}; grant another role first, "
                "or disable the account"
            )
        self._record(self.RoleRevoked, actor, at, role=role)

    def set_positions(self, positions: list[str], *, actor: Actor, at: datetime) -> None:
        checked = check_positions(positions)
        if checked == self.positions:
            raise DomainError(f"{self.username} already has exactly these positions")
        self._record(self.PositionsSet, actor, at, positions=checked)

    def set_schools(self, schools: list[str], *, actor: Actor, at: datetime) -> None:
        """The caller checked that each is a school; the ids' form is checked here."""
        if isinstance(schools, str) or not isinstance(schools, list | tuple):
            raise DomainError(
                "schools must be a list of school ids, such as ['lincoln-elementary']"
            )
        checked = list(dict.fromkeys(check_slug(s) for s in schools))
        if checked == self.schools:
            raise DomainError(f"{self.username} already has exactly these schools")
        self._record(self.SchoolsSet, actor, at, schools=checked)

    def set_password_hash(
        self, password_hash: str, *, actor: Actor, at: datetime, rehash: bool = False
    ) -> None:
        self._record(
            self.PasswordSet,
            actor,
            at,
            password_hash=_check_password_hash(password_hash),
            rehash=rehash,
        )

    def disable(self, *, reason: str = "", actor: Actor, at: datetime) -> None:
        if self.disabled:
            raise DomainError(f"{self.username} is already disabled")
        reason = check_text("reason", reason, limit=500, required=False, multiline=True)
        self._record(self.Disabled, actor, at, reason=reason)

    def enable(self, *, actor: Actor, at: datetime) -> None:
        if not self.disabled:
            raise DomainError(f"{self.username} is already enabled")
        self._record(self.Enabled, actor, at)

    def issue_token(
        self, *, token_id: str, label: str, secret_digest: str, actor: Actor, at: datetime
    ) -> None:
        if self.disabled:
            raise DomainError(f"{self.username} is disabled; enable the account to issue a token")
        if not TOKEN_ID_PATTERN.match(token_id) or token_id in self.tokens:
            raise DomainError("a new token needs a new 12-character hexadecimal id")
        if not DIGEST_PATTERN.match(secret_digest):
            raise DomainError("a token's secret is stored only as its SHA-256 digest")
        if len(self.active_tokens()) >= MAX_ACTIVE_TOKENS:
            raise DomainError(
                f"{self.username} has {MAX_ACTIVE_TOKENS} active tokens; revoke one first"
            )
        label = check_text("token label", label, limit=MAX_LABEL)
        self._record(
            self.TokenIssued,
            actor,
            at,
            token_id=token_id,
            label=label,
            secret_digest=secret_digest,
        )

    def revoke_token(self, token_id: str, *, actor: Actor, at: datetime) -> None:
        token = self.tokens.get(token_id)
        if token is None:
            raise DomainError(f"{self.username} has no token {token_id!r}")
        if not token.active:
            raise DomainError(f"token {token_id} of {self.username} is already revoked")
        self._record(self.TokenRevoked, actor, at, token_id=token_id)

    def end_sessions(self, *, reason: str, actor: Actor, at: datetime) -> None:
        """Ends every session signed in so far, wherever its cookie is (sign-out, a new
        password, disabling)."""
        reason = check_text("reason", reason, limit=MAX_LABEL)
        self._record(self.SessionsEnded, actor, at, reason=reason)

    # -- queries ------------------------------------------------------------------------------

    @property
    def is_active_admin(self) -> bool:
        return ADMIN_ROLE in self.roles and not self.disabled

    @property
    def has_password(self) -> bool:
        return bool(self.password_hash)

    def active_tokens(self) -> list[ApiToken]:
        return [t for t in self.tokens.values() if t.active]

    def acting_as(self, role: str | None = None, *, token_id: str | None = None) -> Actor:
        """The actor recorded on what this person does: in a role or position they hold, and
        with the API token (and who issued it) when the request came with one."""
        chosen = role or (self.positions[0] if self.positions else self.roles[0])
        if chosen not in self.roles and chosen not in self.positions:
            raise DomainError(f"{self.username} does not act as {chosen}")
        token = self.tokens.get(token_id) if token_id else None
        if token is None:
            return Actor(self.username, chosen)
        return Actor(
            self.username, chosen, token=token.token_id, token_issued_by=token.issued_by.user
        )

    # -- internals ----------------------------------------------------------------------------

    def _record(self, event_class: type[Event], actor: Actor, at: datetime, **fields: Any) -> None:
        self.trigger_event(
            event_class, timestamp=max(at, self.modified_on), actor=actor.as_dict(), **fields
        )


class TokenLookup(Aggregate):
    """Finds the account of an API token from the token's public id, which is random and says
    nothing about its owner. Saved with the account's TokenIssued event."""

    class Registered(Aggregate.Created):
        account_id: UUID

    @staticmethod
    def id_for(token_id: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"api-token/{token_id}")

    @classmethod
    def register(cls, token_id: str, account_id: UUID, *, at: datetime) -> "TokenLookup":
        return cls._create(
            cls.Registered, id=cls.id_for(token_id), timestamp=at, account_id=account_id
        )

    def __init__(self, account_id: UUID) -> None:
        self.account_id = account_id


class AdminRoster(Aggregate):
    """The enabled accounts holding the admin role. Every change that adds or removes one is
    saved together with the roster, so two admins who demote each other at the same moment
    conflict, and one of them is refused: there is always someone who can manage accounts."""

    class Event(Aggregate.Event):
        actor: dict[str, str]

    class Started(Event, Aggregate.Created):
        pass

    class Joined(Event):
        username: str

        def apply(self, roster: "AdminRoster") -> None:
            roster.usernames = sorted({*roster.usernames, self.username})

    class Left(Event):
        username: str

        def apply(self, roster: "AdminRoster") -> None:
            roster.usernames = [u for u in roster.usernames if u != self.username]

    @staticmethod
    def id_for() -> UUID:
        return uuid5(STEADY_NAMESPACE, "admin-roster")

    @classmethod
    def start(cls, *, actor: Actor, at: datetime) -> "AdminRoster":
        return cls._create(cls.Started, id=cls.id_for(), timestamp=at, actor=actor.as_dict())

    def __init__(self, actor: dict[str, Any]) -> None:
        self.usernames: list[str] = []

    def join(self, username: str, *, actor: Actor, at: datetime) -> None:
        if username not in self.usernames:
            self._record(self.Joined, actor, at, username=username)

    def leave(self, username: str, *, actor: Actor, at: datetime) -> None:
        if username not in self.usernames:
            return
        if self.usernames == [username]:
            raise LastAdmin(
                f"{username} is the last enabled admin; grant the admin role to another account "
                "first, so someone can still manage accounts"
            )
        self._record(self.Left, actor, at, username=username)

    def _record(self, event_class: type[Event], actor: Actor, at: datetime, **fields: Any) -> None:
        self.trigger_event(
            event_class, timestamp=max(at, self.modified_on), actor=actor.as_dict(), **fields
        )


def sync_admin_roster(
    roster: AdminRoster | None, account: Account, *, actor: Actor, at: datetime
) -> AdminRoster | None:
    """Brings the roster in line with the account after a change to the account; raises
    LastAdmin if the change would leave no enabled admin. Returns the roster to save with the
    account, or None when it is untouched."""
    listed = roster is not None and account.username in roster.usernames
    if account.is_active_admin == listed:
        return None
    if account.is_active_admin:
        roster = roster or AdminRoster.start(actor=actor, at=at)
        roster.join(account.username, actor=actor, at=at)
        return roster
    assert roster is not None
    roster.leave(account.username, actor=actor, at=at)
    return roster
