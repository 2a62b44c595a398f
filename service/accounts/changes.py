"""The record of changes to accounts and organisations, for auditors: who granted what to whom,
when, read from the same event log as everything else.

Each entry shows only fields chosen here, one list per kind of event: a password's hash and an
API token's digest are in the events but never in an entry, whatever fields events gain later.
"""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.account import Account
from domain.numbers import check_whole_number
from domain.organisation import Organisation
from service.incidents.application import Steady

MAX_LIMIT = 1000
PAGE = 500

# The fields of each event that an auditor may read, by event class.
SHOWN: dict[type, tuple[str, ...]] = {
    Account.Created: ("display_name", "organisation", "roles", "positions"),
    Account.RoleGranted: ("role",),
    Account.RoleRevoked: ("role",),
    Account.PositionsSet: ("positions",),
    Account.SchoolsSet: ("schools",),
    Account.EmailAddressSet: ("email",),
    Account.PasswordSet: (),
    Account.Disabled: ("reason",),
    Account.Enabled: (),
    Account.TokenIssued: ("token_id", "label"),
    Account.TokenRevoked: ("token_id",),
    Account.SessionsEnded: ("reason",),
    Organisation.Created: ("slug", "name", "kind"),
    Organisation.StandsIn: ("role",),
    Organisation.StandInEnded: ("role",),
    Organisation.SchoolHoursSet: ("start", "end"),
}
TOPICS = [get_topic(cls) for cls in SHOWN]


def _list(values: list[str]) -> str:
    return ", ".join(values) if values else "none"


def _created(d: dict[str, Any], who: str) -> str:
    positions = f" and the positions {_list(d['positions'])}" if d["positions"] else ""
    return (
        f"added the account {who} ({d['display_name']}) in {d['organisation']} "
        f"with the roles {_list(d['roles'])}{positions}"
    )


def _disabled(d: dict[str, Any], who: str) -> str:
    return f"disabled {who}" + (f": {d['reason']}" if d["reason"] else " (no reason given)")


SAYS: dict[type, Callable[[dict[str, Any], str], str]] = {
    Account.Created: _created,
    Account.RoleGranted: lambda d, who: f"granted the role {d['role']} to {who}",
    Account.RoleRevoked: lambda d, who: f"revoked the role {d['role']} from {who}",
    Account.PositionsSet: lambda d, who: f"set the positions of {who} to {_list(d['positions'])}",
    Account.SchoolsSet: lambda d, who: f"set the schools of {who} to {_list(d['schools'])}",
    Account.EmailAddressSet: lambda d, who: (
        f"set the email address of {who} to {d['email']}"
        if d["email"]
        else f"removed the email address of {who}"
    ),
    Account.PasswordSet: lambda d, who: f"set a new password for {who}",
    Account.Disabled: _disabled,
    Account.Enabled: lambda d, who: f"enabled {who}",
    Account.TokenIssued: lambda d, who: (
        f"issued the API token {d['token_id']} ({d['label']}) to {who}"
    ),
    Account.TokenRevoked: lambda d, who: f"revoked the API token {d['token_id']} of {who}",
    Account.SessionsEnded: lambda d, who: f"ended every session of {who} ({d['reason']})",
    Organisation.Created: lambda d, who: (
        f"added the organisation {d['slug']} ({d['name']}, {d['kind']})"
    ),
    Organisation.StandsIn: lambda d, org: f"let {org} stand in for the playbook role {d['role']}",
    Organisation.StandInEnded: lambda d, org: (
        f"ended {org}'s stand-in for the playbook role {d['role']}"
    ),
    Organisation.SchoolHoursSet: lambda d, org: (
        f"set {org}'s school day to {d['start']} to {d['end']}"
    ),
}


class AccountChanges:
    """Reads the account and organisation events after a position, in the log's order."""

    def __init__(self, steady: Steady) -> None:
        self.steady = steady
        # An account's username and an organisation's slug never change, and their ids (UUIDs)
        # never meet: one map serves both.
        self._names: dict[UUID, str] = {}

    def after(
        self, position: int = 0, limit: int = 100, *, account_id: UUID | None = None
    ) -> list[dict[str, Any]]:
        """Up to `limit` changes after `position`; only those to one account (by id), if
        given."""
        check_whole_number("after", position, least=0)
        check_whole_number("limit", limit, least=1, most=MAX_LIMIT, wording="from")
        wanted = account_id
        found: list[dict[str, Any]] = []
        while len(found) < limit:
            section = self.steady.recorder.select_notifications(
                position, PAGE, topics=TOPICS, inclusive_of_start=False
            )
            for notification in section:
                position = notification.id
                if wanted is not None and notification.originator_id != wanted:
                    continue
                event = self.steady.mapper.to_domain_event(notification)
                entry = self._entry(notification.id, event)
                if entry is not None:
                    found.append(entry)
                    if len(found) == limit:
                        break
            if len(section) < PAGE:
                break
        return found

    def _entry(self, position: int, event: Any) -> dict[str, Any] | None:
        kind = type(event)
        if kind is Account.PasswordSet and event.rehash:
            return None  # the same password under new hashing parameters: no one changed it
        details = {name: getattr(event, name) for name in SHOWN[kind]}
        account = self._name(event, "username") if isinstance(event, Account.Event) else None
        organisation = self._name(event, "slug") if isinstance(event, Organisation.Event) else None
        actor = event.by
        return {
            "position": position,
            "at": event.timestamp.isoformat(),
            "actor": actor.as_dict(),
            "type": event.NAME,
            "account": account,
            "organisation": organisation,
            "details": details,
            "summary": f"{actor} {SAYS[kind](details, account or organisation or '')}",
        }

    def _name(self, event: Account.Event | Organisation.Event, field: str) -> str:
        """The account's username or the organisation's slug (`field`): from its creation, or
        read once from the aggregate when the creation lies before the section read."""
        if isinstance(event, Aggregate.Created):
            self._names[event.originator_id] = getattr(event, field)
        if event.originator_id not in self._names:
            aggregate = self.steady.repository.get(event.originator_id)
            self._names[event.originator_id] = getattr(aggregate, field)
        return self._names[event.originator_id]
