"""The admin roster: the enabled accounts that can manage accounts, kept so that there is
always at least one."""

from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.account import Account
from domain.errors import DomainError
from domain.people import Actor
from domain.recording import ActorEvent, OneOfItsKind


class LastAdmin(DomainError):
    """The change would leave no enabled account that can manage accounts."""


class AdminRoster(OneOfItsKind, Aggregate):
    """The enabled accounts holding the admin role. Every change that adds or removes one is
    saved together with the roster, so two admins who demote each other at the same moment
    conflict, and one of them is refused: there is always someone who can manage accounts."""

    ID_NAME = "admin-roster"

    class Event(ActorEvent):
        pass

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


# Stored before the aggregate had a module of its own (domain/account.py): that topic, and its
# events' (domain.account:AdminRoster.Joined, ...), must still resolve, for ever.
register_topic("domain.account:AdminRoster", AdminRoster)


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
