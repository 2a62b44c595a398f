"""Who holds each playbook role: the positions of the district's enabled people who take tasks,
and the partner organisations standing in for a role. A task whose role no one holds reaches no
one until a crisis lead assigns it, so it is flagged.

Derived from the accounts, organisations and stand-ins in the log, and kept until one of them
changes: each read asks the store only whether any of their events came after the last read."""

import threading
from collections.abc import Iterable

from eventsourcing.utils import get_topic

from domain.account import Account
from domain.incident import Incident
from domain.organisation import Organisation, StandIns
from domain.task import Task
from service.accounts.queries import ACCOUNT_TOPICS
from service.accounts.service import Accounts
from service.incidents.assignees import takes_tasks


def _topics(aggregate: type) -> list[str]:
    event = aggregate.Event  # type: ignore[attr-defined]
    return [
        get_topic(kind)
        for kind in vars(aggregate).values()
        if isinstance(kind, type) and issubclass(kind, event) and kind is not event
    ]


# Every event that may change who holds a role: accounts (positions, roles, disabled) and
# organisations and the stand-ins.
WATCHED = [*ACCOUNT_TOPICS, *_topics(Organisation), *_topics(StandIns)]


def roles_held(
    accounts: Iterable[Account], partners: set[str], stand_ins: Iterable[str]
) -> set[str]:
    """The roles someone holds: the positions (and permission roles, which own tasks too: a
    crisis lead's steps) of enabled district accounts that take tasks, and the stand-ins'."""
    held = set(stand_ins)
    for account in accounts:
        if takes_tasks(account, partners):
            held.update(account.positions)
            held.update(account.roles)
    return held


def waiting_on(task: Task) -> str | None:
    """The role an open task waits on when no person or partner has it by name: the role it
    is assigned to, else its owner role. None when it is done or someone has it by name."""
    if not task.is_open:  # done, not applicable, or carried into a follow-up
        return None
    if task.assignee is None:
        return task.owner_role
    if task.assignee.kind == "role":
        return task.assignee.name
    return None


def no_one_holds(task: Task, held: set[str] | frozenset[str]) -> str | None:
    """The role of an open task that no one can pick up: no one holds the role it waits on,
    nor its owner role (whose holders may change it too: service/access/permissions.py)."""
    role = waiting_on(task)
    if role is None or role in held or task.owner_role in held:
        return None
    return role


def unheld_tasks(incident: Incident, held: set[str] | frozenset[str]) -> list[tuple[Task, str]]:
    """The open tasks of an open incident that no one can pick up, with the role each waits on."""
    if incident.closed:
        return []
    found = []
    for task in incident.tasks.values():
        role = no_one_holds(task, held)
        if role is not None:
            found.append((task, role))
    return found


class RoleHolders:
    """The roles held in the district now, read again only after an account, organisation or
    stand-in has changed (in this process or another sharing the store)."""

    def __init__(self, accounts: Accounts) -> None:
        self._accounts = accounts
        self._recorder = accounts.steady.recorder
        self._held: frozenset[str] | None = None
        self._checked = 0  # the log position up to which no change has gone unread
        self._lock = threading.Lock()

    def held(self) -> frozenset[str]:
        with self._lock:
            top = self._recorder.max_notification_id() or 0
            if self._held is None or self._changed(self._checked, top):
                self._held = frozenset(self._read())
            self._checked = top
            return self._held

    def _changed(self, after: int, upto: int) -> bool:
        if upto <= after:
            return False
        found = self._recorder.select_notifications(
            after, 1, stop=upto, topics=WATCHED, inclusive_of_start=False
        )
        return bool(found)

    def _read(self) -> set[str]:
        accounts = self._accounts
        partners = {o.slug for o in accounts.organisations() if o.is_partner}
        stand_ins = accounts.steady.stand_ins()
        return roles_held(accounts.list_users(), partners, stand_ins)
