"""Revocation reaches the live feed through the event log: the hub knows each connection's account
and credential (token id, or the session's count of ended sessions); a follower of account events,
one per instance, hands it each changed account as stored, and the hub closes with 1008 every
connection the change invalidates (account disabled, token revoked, sessions ended) or whose
audience it changes (a role taken away, a case team joined or left). A connection is checked
again right after it subscribes, so a change that lands between signing in and subscribing is
not missed."""

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol
from uuid import UUID

from litestar.concurrency import sync_to_thread
from litestar.datastructures import State

from domain.account import Account
from domain.errors import DomainError
from service.live.feed_events import FeedEvent
from web.access.sessions import Credential, credential_holds
from web.live.audiences import Audience, audience_for

# Closed with 1008 too: the client reconnects at once and gets the audience it now has.
RESCOPED = "what you may see has changed: reconnect"


@dataclass(frozen=True)
class Holder:
    """Who holds a connection, and with what: what an account change is checked against."""

    account_id: UUID
    credential: Credential


@dataclass(frozen=True)
class AccountChanged:
    """An account as stored after a change at `position` (None: not one the hub watches)."""

    position: int
    account_id: UUID
    account: Account | None
    # Its connections' audience as of this change, worked out where the store may be read.
    audience: Audience | None = None


class Connections(Protocol):
    """What revocation needs of the hub (web/live/hub.py) that holds the connections."""

    def watches(self, account_id: UUID) -> bool: ...

    def personal_holders(self) -> set[UUID]: ...

    def accounts_changed(self, changes: list[AccountChanged]) -> None: ...


def as_changed(position: int, account_id: UUID, state: State) -> AccountChanged:
    """The account as stored now, with its audience. Reads the store: call it in a thread."""
    account = state.accounts.by_id(account_id)
    audience = audience_for(account, state) if account is not None else None
    return AccountChanged(position, account_id, account, audience)


# Events that may change whose view of the board is their own (see district_audience).
_RESCOPING = ("case_team_member_added", "case_team_member_removed", "task_assigned")


def people_named(events: list[FeedEvent]) -> set[str]:
    """The usernames that events make or unmake personal: case team members and people a task
    is assigned to. An empty set when no event may rescope anyone."""
    named: set[str] = set()
    for event in events:
        if event.type not in _RESCOPING:
            continue
        named.add("")  # someone may lose a personal view: every personal holder is rechecked
        if event.type != "task_assigned":
            named.add(str(event.data.get("username", "")))
        elif event.data.get("assignee_kind") == "person":
            named.add(str(event.data.get("assignee", "")))
    return named


async def rescope(hub: Connections, state: State, usernames: set[str]) -> None:
    """Rechecks the connections of the people named and of everyone seeing the board as
    themselves, after a change of case team or assignment: an audience that changed is closed
    (1008) so that the client reconnects with the view it now has."""

    def changes(watched: set[UUID]) -> list[AccountChanged]:
        for username in usernames - {""}:
            try:
                watched.add(state.accounts.account(username).id)
            except DomainError:
                continue  # no such account (any more): nobody to rescope
        return [as_changed(0, i, state) for i in watched if hub.watches(i)]

    hub.accounts_changed(await sync_to_thread(changes, hub.personal_holders()))


def refusal(
    account: Account | None, holder: Holder, audience: Audience, now: Audience | None
) -> str:
    """Why a connection may no longer stay open, or "" if it may: `now` is the audience the
    account's connections would get if they opened now."""
    if account is None or not credential_holds(account, holder.credential):
        return "signed out: the account, its token or its session is no longer valid"
    if now is None:
        return "your role may not see the board of open incidents"
    if now.key != audience.key:
        return RESCOPED
    return ""


def account_changes(state: State, hub: Connections) -> Callable[[int, int], list[AccountChanged]]:
    """Reads account changes after a position for a LogFollower, loading (in its thread) each
    changed account that has a connection here, once per page, as it is stored now."""

    def read(position: int, limit: int) -> list[AccountChanged]:
        changes = state.accounts.changed_after(position, limit)
        watched = {c.account_id for c in changes if hub.watches(c.account_id)}
        loaded = {account_id: as_changed(0, account_id, state) for account_id in watched}
        return [
            AccountChanged(c.position, c.account_id, None)
            if c.account_id not in loaded
            else replace(loaded[c.account_id], position=c.position)
            for c in changes
        ]

    return read
