"""People who sign in to Steady: the account of each, with its organisation, roles, password
hash and API tokens (the rules for roles are in domain/roles.py, for usernames and passwords in
domain/credentials.py; finding a token's account in domain/token_lookup.py, the admins in
domain/admin_roster.py).

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

from domain.credentials import check_password_hash, check_username
from domain.email_address import check_email
from domain.errors import Conflict, DomainError, NotFound
from domain.ids import STEADY_NAMESPACE
from domain.organisation import Organisation, check_slug
from domain.people import Actor
from domain.recording import ActorEvent, RecordsWhoActed
from domain.roles import (
    ADMIN_ROLE,
    ROLES,
    check_positions,
    check_role,
    check_roles,
    check_roles_fit_organisation,
)
from domain.text import check_text

TOKEN_ID_PATTERN = re.compile(r"^[0-9a-f]{12}$")
DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")
MAX_LABEL = 100
MAX_ACTIVE_TOKENS = 20


class AlreadyExists(Conflict):
    """The username (or organisation id) is taken."""


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


class Account(RecordsWhoActed, Aggregate):
    """One person. The username is unique (the id derives from it) and never changes."""

    class Event(ActorEvent):
        NAME = "account_event"

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

    class EmailAddressSet(Event):
        """Where Steady emails the person (urgent tasks, the morning digest); "" for none."""

        NAME = "email_address_set"

        email: str

        def apply(self, account: "Account") -> None:
            account.email = self.email

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
        self.email = ""  # set by EmailAddressSet: until then nothing is emailed
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

    def set_email(self, email: str, *, actor: Actor, at: datetime) -> None:
        """A new address ("" removes it: nothing is emailed then)."""
        checked = check_email(email, required=False)
        if checked == self.email:
            said = f"the email address {checked}" if checked else "no email address"
            raise DomainError(f"{self.username} already has {said}")
        self._record(self.EmailAddressSet, actor, at, email=checked)

    def set_password_hash(
        self, password_hash: str, *, actor: Actor, at: datetime, rehash: bool = False
    ) -> None:
        self._record(
            self.PasswordSet,
            actor,
            at,
            password_hash=check_password_hash(password_hash),
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
            raise NotFound(f"{self.username} has no token {token_id!r}")
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
