"""What Accounts answers: organisations, accounts, admins and the changes to them."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from domain.account import Account, check_username
from domain.admin_roster import AdminRoster
from domain.credentials import normalise_username
from domain.errors import DomainError, NotFound
from domain.organisation import Organisation, StandIns, check_slug
from service.accounts.changes import AccountChanges
from service.incidents.application import Steady

ACCOUNT_CREATED_TOPIC = get_topic(Account.Created)
ORGANISATION_CREATED_TOPIC = get_topic(Organisation.Created)
# Every kind of account event, those added later included.
ACCOUNT_TOPICS = [
    get_topic(kind)
    for kind in vars(Account).values()
    if isinstance(kind, type) and issubclass(kind, Account.Event) and kind is not Account.Event
]
PAGE = 1000


@dataclass(frozen=True)
class AccountChange:
    """An account event's place in the log and the account it changed."""

    position: int
    account_id: UUID


class AccountQueries:
    """The part of Accounts (service.accounts.service) that answers."""

    # Given by Accounts.
    steady: Steady
    _changes: AccountChanges

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

    def school(self, slug: str) -> Organisation:
        organisation = self.organisation(slug)
        if organisation.kind != "school":
            raise DomainError(
                f"{organisation.slug} is a {organisation.kind}, not a school: give only schools"
            )
        return organisation

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
