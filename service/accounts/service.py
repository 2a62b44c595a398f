"""Accounts and sign-in, kept in the same event store as the incidents.

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher) and rehashed at the next
sign-in when the hashing parameters change. An API token is shown once, as
``stdy_<token id>_<secret>``; the store keeps only the token id and the SHA-256 digest of the
secret. Failed sign-ins are counted per account and address, and per address, by a
SignInThrottle. Sessions are ended by an account event (Account.SessionsEnded), recorded at
sign-out, at a new password and when the account is disabled.

Who may call the commands here (an admin, for most of them) is decided at the edge, with
service.access.permissions; the actor passed in is recorded on every event.
"""

import hashlib
import hmac
import random
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import get_topic

from domain.account import Account, AlreadyExists
from domain.admin_roster import AdminRoster, sync_admin_roster
from domain.credentials import MAX_PASSWORD, check_password, check_username, normalise_username
from domain.errors import DomainError, NotFound
from domain.organisation import Organisation, StandIns, check_playbook_role, check_slug
from domain.people import Actor
from domain.token_lookup import TokenLookup
from service.access.permissions import Forbidden
from service.accounts.changes import AccountChanges
from service.incidents.application import Clock, Steady, utc_now

TOKEN_PREFIX = "stdy"
TOKEN_PATTERN = re.compile(rf"^{TOKEN_PREFIX}_([0-9a-f]{{12}})_([0-9a-f]{{48}})$")
ACCOUNT_CREATED_TOPIC = get_topic(Account.Created)
ORGANISATION_CREATED_TOPIC = get_topic(Organisation.Created)
# Every kind of account event, those added later included.
ACCOUNT_TOPICS = [
    get_topic(kind)
    for kind in vars(Account).values()
    if isinstance(kind, type) and issubclass(kind, Account.Event) and kind is not Account.Event
]
SYSTEM = Actor("steady", "system")
MAX_ATTEMPTS = 25
PAGE = 1000


@dataclass(frozen=True)
class AccountChange:
    """An account event's place in the log and the account it changed."""

    position: int
    account_id: UUID


class SignInFailed(Exception):
    """Sign-in refused. The message never says whether the username or the password was wrong."""

    PASSWORD = "sign-in failed: wrong username or password, or the account is disabled"
    TOKEN = "sign-in failed: the API token is not valid (mistyped, revoked, or account disabled)"


class SignInLocked(SignInFailed):
    """Too many failed sign-ins for this account or from this address, for now."""

    def __init__(self, retry_at: datetime) -> None:
        self.retry_at = retry_at
        super().__init__(
            "too many failed sign-ins for this account or from this address; "
            f"try again after {retry_at:%Y-%m-%d %H:%M:%S} UTC"
        )


@dataclass
class _Guesses:
    """Failed passwords for one account from one address, and how long it must now wait."""

    failures: int
    last: datetime
    locked_until: datetime | None = None


class SignInThrottle:
    """Slows password guessing without locking an account's owner out.

    - Per account *and address*: after `limit` failures, each further failure from that address
      for that account doubles a wait, from `base_delay` up to `max_delay`; the count is
      forgotten at a sign-in from there, or after `forget_after` without a failure. So the same
      wrong passwords from elsewhere never lock the owner out of their own account.
    - Per address, whatever the accounts: `address_limit` failures within `window` (looser, as
      a school's staff may share one address) lock that address until the oldest of them is
      `window` old: an address trying many accounts.

    Valid API tokens are never checked against either (see Accounts.authenticate_token). The
    counts live in this process's memory: each process counts on its own, and a restart
    forgets them. A store shared by every instance (a table in PostgreSQL, say) is future work.
    """

    def __init__(
        self,
        *,
        limit: int = 5,
        window: timedelta = timedelta(minutes=15),
        address_limit: int = 100,
        base_delay: timedelta = timedelta(minutes=1),
        max_delay: timedelta = timedelta(minutes=15),
        forget_after: timedelta = timedelta(hours=24),
        clock: Clock = utc_now,
        max_keys: int = 100_000,
    ) -> None:
        if limit < 1 or address_limit < 1 or window <= timedelta(0):
            raise ValueError("a throttle needs limits of at least 1 and a positive window")
        if base_delay <= timedelta(0) or max_delay < base_delay:
            raise ValueError("a throttle needs a positive delay no longer than its maximum")
        self.limit = limit
        self.window = window
        self.address_limit = address_limit
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.forget_after = forget_after
        self.clock = clock
        self.max_keys = max_keys
        self._guesses: dict[tuple[str, str], _Guesses] = {}
        self._addresses: dict[str, deque[datetime]] = {}
        self._lock = threading.Lock()

    def check(self, *, username: str | None = None, address: str | None = None) -> None:
        """Raises SignInLocked while this account may not be tried from this address."""
        with self._lock:
            retry_at = self._retry_at(username, address, self.clock())
        if retry_at is not None:
            raise SignInLocked(retry_at)

    def failed(self, *, username: str | None = None, address: str | None = None) -> None:
        """Records a failure; raises SignInLocked if it starts (or lengthens) a wait."""
        now = self.clock()
        with self._lock:
            if username:
                pair = _pair(username, address)
                guesses = self._guesses.get(pair)
                if guesses is None or guesses.last + self.forget_after <= now:
                    guesses = self._guesses[pair] = _Guesses(0, now)
                guesses.failures += 1
                guesses.last = now
                beyond = guesses.failures - self.limit
                if beyond >= 0:
                    delay = min(self.base_delay * 2 ** min(beyond, 32), self.max_delay)
                    guesses.locked_until = now + delay
            if address:
                failures = self._addresses.setdefault(address[:100], deque())
                self._expire(failures, now)
                failures.append(now)
            self._bound(now)
            retry_at = self._retry_at(username, address, now)
        if retry_at is not None:
            raise SignInLocked(retry_at)

    def succeeded(self, *, username: str, address: str | None = None) -> None:
        """Forgets this account's failures from this address. The address keeps its count: one
        good password must not reset a guesser who is trying many accounts from there."""
        with self._lock:
            self._guesses.pop(_pair(username, address), None)

    def _retry_at(
        self, username: str | None, address: str | None, now: datetime
    ) -> datetime | None:
        latest = None
        guesses = self._guesses.get(_pair(username, address)) if username else None
        if guesses is not None and guesses.locked_until and guesses.locked_until > now:
            latest = guesses.locked_until
        failures = self._addresses.get(address[:100]) if address else None
        if failures:
            self._expire(failures, now)
            if len(failures) >= self.address_limit:
                until = failures[-self.address_limit] + self.window
                latest = until if latest is None else max(latest, until)
        return latest

    def _expire(self, failures: deque[datetime], now: datetime) -> None:
        while failures and failures[0] + self.window <= now:
            failures.popleft()

    def _bound(self, now: datetime) -> None:
        if len(self._guesses) > self.max_keys:
            for pair in [p for p, g in self._guesses.items() if g.last + self.forget_after <= now]:
                del self._guesses[pair]
            while len(self._guesses) > self.max_keys:  # still too many: forget the oldest
                del self._guesses[next(iter(self._guesses))]
        if len(self._addresses) > self.max_keys:
            for key in [
                k for k, f in self._addresses.items() if not f or f[-1] + self.window <= now
            ]:
                del self._addresses[key]
            while len(self._addresses) > self.max_keys:
                del self._addresses[next(iter(self._addresses))]


def _pair(username: str | None, address: str | None) -> tuple[str, str]:
    return ((username or "")[:100], (address or "")[:100])


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


class Accounts:
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
        self._changes = AccountChanges(steady)

    # -- organisations ------------------------------------------------------------------------

    def add_organisation(self, slug: str, name: str, kind: str, *, actor: Actor) -> Organisation:
        organisation = Organisation.create(
            slug=slug, name=name, kind=kind, actor=actor, at=self.steady.clock()
        )
        if self._exists(organisation.id):
            raise AlreadyExists(f"there is already an organisation {organisation.slug!r}")
        try:
            self.steady.save(organisation)
        except IntegrityError:
            raise AlreadyExists(f"there is already an organisation {organisation.slug!r}") from None
        return organisation

    def organisation(self, slug: str) -> Organisation:
        slug = check_slug(slug)
        try:
            return self.steady.repository.get(Organisation.id_for(slug))
        except AggregateNotFoundError:
            raise NotFound(
                f"there is no organisation {slug!r}: add it first (steady orgs add {slug} ...)"
            ) from None

    def organisations(self) -> list[Organisation]:
        found = [self.steady.repository.get(i) for i in self._created(ORGANISATION_CREATED_TOPIC)]
        return sorted(found, key=lambda o: (o.kind != "district", o.kind, o.name.casefold()))

    def playbook_roles(self) -> dict[str, str]:
        """The roles the loaded playbooks declare, id -> title (the first playbook's title)."""
        roles: dict[str, str] = {}
        for playbook in self.steady.playbooks.all():
            for role in playbook.roles:
                roles.setdefault(role.id, role.title)
        return roles

    def stand_in(self, slug: str, role: str, *, actor: Actor) -> Organisation:
        """The partner stands in for a playbook role: applying a playbook assigns it the tasks
        of that role. One partner a role; the organisation and the roster are saved together."""
        roles = self.playbook_roles()
        for attempt in range(MAX_ATTEMPTS):
            organisation = self.organisation(slug)
            now = self.steady.clock()
            organisation.stand_in(role, roles=roles, actor=actor, at=now)
            wanted = check_playbook_role(role, roles)
            roster = self._stand_ins() or StandIns.start(actor=actor, at=now)
            holder = roster.roles.get(wanted)
            names = {holder: self.organisation(holder).name} if holder else {}
            roster.take(wanted, organisation, names=names, actor=actor, at=now)
            try:
                self.steady.save(organisation, roster)
            except IntegrityError:
                _pause(attempt)  # another admin changed a stand-in meanwhile: decide again
                continue
            return organisation
        raise DomainError("stand-ins are changing too fast to change now; try again")

    def end_stand_in(self, slug: str, role: str, *, actor: Actor) -> Organisation:
        wanted = role.strip().lower() if isinstance(role, str) else role
        for attempt in range(MAX_ATTEMPTS):
            organisation = self.organisation(slug)
            now = self.steady.clock()
            organisation.end_stand_in(wanted, actor=actor, at=now)
            roster = self._stand_ins()
            if roster is not None and roster.roles.get(wanted) == organisation.slug:
                roster.release(wanted, actor=actor, at=now)
            try:
                self.steady.save(organisation, roster)
            except IntegrityError:
                _pause(attempt)
                continue
            return organisation
        raise DomainError("stand-ins are changing too fast to change now; try again")

    # -- account commands ---------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        *,
        display_name: str,
        organisation: str,
        roles: Sequence[str],
        password: str | None,
        actor: Actor,
        positions: Sequence[str] = (),
    ) -> Account:
        """A new account; without a password it can sign in only with API tokens."""
        username = check_username(username)
        password_hash = None
        if password is not None:
            password_hash = self.hasher.hash(check_password(password, username))
        org = self.organisation(organisation)
        taken = f"the username {username!r} is taken; choose another"
        for attempt in range(MAX_ATTEMPTS):
            if any(self._exists(i) for i in self._ids_for(username)):
                raise AlreadyExists(taken)
            now = self.steady.clock()
            account = Account.create(
                username=username,
                display_name=display_name,
                organisation=org,
                roles=list(roles),
                positions=list(positions),
                actor=actor,
                at=now,
                account_id=self._ids_for(username)[0],
            )
            if password_hash:
                account.set_password_hash(password_hash, actor=actor, at=now)
            roster = sync_admin_roster(self._roster(), account, actor=actor, at=now)
            try:
                self.steady.save(account, roster)
            except IntegrityError:
                _pause(attempt)  # the username was taken meanwhile, or the roster changed
                continue
            return account
        raise DomainError("accounts are changing too fast to add one now; try again")

    def grant_role(self, username: str, role: str, *, actor: Actor) -> Account:
        if actor.user == check_username(username):
            # Two people for every grant of power: an admin who could grant themselves
            # auditor (or any role) could read every child's case unseen by a colleague.
            raise Forbidden(
                f"you may not grant yourself a role: another admin must grant {role} to "
                f"{actor.user}, so that no one widens their own access alone"
            )
        return self._change(username, actor, lambda a, now: a.grant_role(role, actor=actor, at=now))

    def revoke_role(self, username: str, role: str, *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.revoke_role(role, actor=actor, at=now)
        )

    def set_positions(self, username: str, positions: Sequence[str], *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.set_positions(list(positions), actor=actor, at=now)
        )

    def set_schools(self, username: str, schools: Sequence[str], *, actor: Actor) -> Account:
        """Gives the person these schools (organisation ids) besides their own organisation;
        each must be a school: a partner or the district here would widen sight by mistake."""
        slugs = [self.school(s).slug for s in schools]
        return self._change(
            username, actor, lambda a, now: a.set_schools(slugs, actor=actor, at=now)
        )

    def school(self, slug: str) -> Organisation:
        organisation = self.organisation(slug)
        if organisation.kind != "school":
            raise DomainError(
                f"{organisation.slug} is a {organisation.kind}, not a school: give only schools"
            )
        return organisation

    def set_password(self, username: str, password: str, *, actor: Actor) -> Account:
        """A new password; every session signed in with the old one ends."""
        password_hash = self.hasher.hash(check_password(password, check_username(username)))

        def change(account: Account, now: datetime) -> None:
            account.set_password_hash(password_hash, actor=actor, at=now)
            account.end_sessions(reason="password changed", actor=actor, at=now)

        return self._change(username, actor, change)

    def disable(self, username: str, *, actor: Actor, reason: str = "") -> Account:
        """Disables the account and ends its sessions: enabling it again revives none."""

        def change(account: Account, now: datetime) -> None:
            account.disable(reason=reason, actor=actor, at=now)
            account.end_sessions(reason="disabled", actor=actor, at=now)

        return self._change(username, actor, change)

    def end_sessions(self, username: str, *, actor: Actor, reason: str) -> Account:
        """Ends every session of the account, on every instance (they read the same record)."""
        return self._change(
            username, actor, lambda a, now: a.end_sessions(reason=reason, actor=actor, at=now)
        )

    def enable(self, username: str, *, actor: Actor) -> Account:
        return self._change(username, actor, lambda a, now: a.enable(actor=actor, at=now))

    def issue_token(self, username: str, label: str = "api", *, actor: Actor) -> str:
        """A new API token for the account, returned once: only its digest is stored.

        Only the account's owner issues a token for it; an admin (or the command line) issues
        one only for an account made for a script, which has no password. Otherwise whoever
        held the token could act as that person, and their events would say it was them."""
        shown: list[str] = []

        def change(account: Account, now: datetime) -> list[Aggregate]:
            check_may_issue_token(account, actor)
            token_id, secret, token = new_token()
            account.issue_token(
                token_id=token_id,
                label=label,
                secret_digest=token_digest(secret),
                actor=actor,
                at=now,
            )
            shown[:] = [token]
            return [TokenLookup.register(token_id, account.id, at=now)]

        self._change(username, actor, change)
        return shown[0]

    def revoke_token(self, username: str, token_id: str, *, actor: Actor) -> Account:
        return self._change(
            username, actor, lambda a, now: a.revoke_token(token_id, actor=actor, at=now)
        )

    # -- sign-in ------------------------------------------------------------------------------

    def authenticate_password(
        self, username: str, password: str, address: str | None = None
    ) -> Account:
        """The account, if the password is right and the account enabled; else SignInFailed
        (SignInLocked while too many recent failures), the same whatever was wrong."""
        key = normalise_username(username)[:100]
        self.throttle.check(username=key, address=address)
        account = self._find(key)
        usable = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD
        stored = account.password_hash if account and account.has_password else ""
        # Verify against a stand-in hash when there is nothing to verify, so an unknown
        # username takes as long to refuse as a wrong password.
        verified = usable and self._verify(stored or self._stand_in_hash(), password)
        if not (verified and stored and account and not account.disabled):
            self.throttle.failed(username=key, address=address)
            raise SignInFailed(SignInFailed.PASSWORD)
        self.throttle.succeeded(username=key, address=address)
        self._rehash_if_needed(account, password)
        return account

    def authenticate_token(self, token: str, address: str | None = None) -> Account:
        """The account that owns this API token, if it is active and the account enabled.

        A valid token is never refused for failures from its address (someone else's wrong
        passwords there, say); only a wrong token counts and waits."""
        match = TOKEN_PATTERN.match(token.strip()) if isinstance(token, str) else None
        account = None
        if match:
            token_id, secret = match.groups()
            account = self._token_owner(token_id)
            issued = account.tokens.get(token_id) if account else None
            if not (
                account
                and issued
                and issued.active
                and not account.disabled
                and hmac.compare_digest(issued.secret_digest, token_digest(secret))
            ):
                account = None
        if account is None:
            self.throttle.check(address=address)
            self.throttle.failed(address=address)
            raise SignInFailed(SignInFailed.TOKEN)
        return account

    # -- queries ------------------------------------------------------------------------------

    def account(self, username: str) -> Account:
        account = self._find(check_username(username))
        if account is None:
            raise NotFound(f"there is no account {normalise_username(username)!r}")
        return account

    def by_id(self, account_id: Any) -> Account | None:
        """The account with this stream id, as stored now, or None."""
        try:
            found = self.steady.repository.get(account_id)
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Account) else None

    def changed_after(self, position: int, limit: int = PAGE) -> list[AccountChange]:
        """Every change to an account after a log position, oldest first: what the live feed
        follows to close the connections a change revokes."""
        section = self.steady.recorder.select_notifications(
            position, limit, topics=ACCOUNT_TOPICS, inclusive_of_start=False
        )
        return [AccountChange(n.id, n.originator_id) for n in section]

    def list_users(self) -> list[Account]:
        """Every account, found through the log of account-created events, by username."""
        accounts = [self.steady.repository.get(i) for i in self._created(ACCOUNT_CREATED_TOPIC)]
        return sorted(accounts, key=lambda a: a.username)

    def changes(
        self, after: int = 0, limit: int = 100, *, username: str | None = None
    ) -> list[dict[str, Any]]:
        """Changes to accounts and organisations after a log position, oldest first: who did
        what to whom, when; never a password hash or a token's digest."""
        if username is None:
            return self._changes.after(after, limit)
        account = self._find(username)  # old accounts keep their old id: find it
        account_id = account.id if account else self._ids_for(username)[0]
        return self._changes.after(after, limit, account_id=account_id)

    def admins(self) -> list[str]:
        roster = self._roster()
        return list(roster.usernames) if roster else []

    # -- internals ----------------------------------------------------------------------------

    def _change(
        self,
        username: str,
        actor: Actor,
        change: Callable[[Account, datetime], Sequence[Aggregate] | None],
    ) -> Account:
        """Applies the change to the latest account and saves it with the admin roster (and
        anything else the change returns); reloads and applies again if another writer won."""
        username = check_username(username)
        for attempt in range(MAX_ATTEMPTS):
            account = self.account(username)
            now = self.steady.clock()
            others = change(account, now) or ()
            roster = sync_admin_roster(self._roster(), account, actor=actor, at=now)
            try:
                self.steady.save(account, roster, *others)
            except IntegrityError:
                _pause(attempt)
                continue
            return account
        raise DomainError(f"{username} is changing too fast to change now; try again")

    def _ids_for(self, username: str) -> list[Any]:
        """The id a new account of this username gets (derived with the store's key, so a
        reader of the database cannot confirm a username), then the one accounts stored before
        that have (uuid5 of the username), which stay readable."""
        username = check_username(username)
        return [self.steady.private_id("account", username), Account.id_for(username)]

    def _find(self, username: str) -> Account | None:
        try:
            ids = self._ids_for(username)
        except DomainError:
            return None
        for account_id in ids:
            try:
                return self.steady.repository.get(account_id)
            except AggregateNotFoundError:
                continue
        return None

    def _token_owner(self, token_id: str) -> Account | None:
        try:
            lookup: TokenLookup = self.steady.repository.get(TokenLookup.id_for(token_id))
            return self.steady.repository.get(lookup.account_id)
        except AggregateNotFoundError:
            return None

    def _stand_ins(self) -> StandIns | None:
        try:
            return self.steady.repository.get(StandIns.id_for())
        except AggregateNotFoundError:
            return None

    def _roster(self) -> AdminRoster | None:
        try:
            return self.steady.repository.get(AdminRoster.id_for())
        except AggregateNotFoundError:
            return None

    def _exists(self, aggregate_id: Any) -> bool:
        return bool(self.steady.recorder.select_events(aggregate_id, limit=1))

    def _created(self, topic: str) -> list[Any]:
        ids, position = [], 0
        while True:
            section = self.steady.recorder.select_notifications(
                position, PAGE, topics=[topic], inclusive_of_start=False
            )
            ids += [n.originator_id for n in section]
            if len(section) < PAGE:
                return ids
            position = section[-1].id

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self.hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def _stand_in_hash(self) -> str:
        if not self._dummy_hash:
            self._dummy_hash = self.hasher.hash(secrets.token_hex(16))
        return self._dummy_hash

    def _rehash_if_needed(self, account: Account, password: str) -> None:
        """The hashing parameters changed since this hash was made: store a new hash. Losing a
        race to another writer is fine; the next sign-in tries again."""
        try:
            if not self.hasher.check_needs_rehash(account.password_hash):
                return
            account.set_password_hash(
                self.hasher.hash(password), actor=SYSTEM, at=self.steady.clock(), rehash=True
            )
            self.steady.save(account)
        except (IntegrityError, InvalidHashError):
            return


def account_view(account: Account) -> dict[str, Any]:
    """What may be shown of an account: never a hash or a secret."""
    return {
        "username": account.username,
        "display_name": account.display_name,
        "organisation": account.organisation,
        "roles": list(account.roles),
        "positions": list(account.positions),
        "schools": list(account.schools),
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
    return {
        "slug": organisation.slug,
        "name": organisation.name,
        "kind": organisation.kind,
        "stands_in": list(organisation.stands_in),
    }


def _pause(attempt: int) -> None:
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
