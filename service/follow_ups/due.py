"""Follow-ups due: every person's follow-ups as the log says now, kept in memory and brought up
to date from the log (the FollowUps events after the last position read) before each read.
Derived state: thrown away with the process and rebuilt from the log.

Who sees which check-ins is the record_check_in permission's (service/access/permissions.py):
crisis leads everyone's, a responder their own, a partner's people those owned by someone of
their organisation. Only pseudonyms (P-0007) and incident references are in what it returns."""

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.account import Account
from domain.follow_ups import EVENT_CLASSES, FollowUps
from service.access.permissions import may_record_check_in
from service.incidents.application import Steady
from service.recovery.district import CheckInState

TOPICS = [get_topic(cls) for cls in EVENT_CLASSES]
PLANNED_TOPIC = get_topic(FollowUps.Planned)
PAGE = 1000


@dataclass(frozen=True)
class DueCheckIn:
    person_ref: str
    incident_ref: str
    check_in_id: str
    label: str
    due: datetime
    overdue: bool
    owner: str
    tier: int
    milestone: str = ""


def planned_streams(steady: Steady) -> list[tuple[UUID, str]]:
    """(stream id, incident reference) of every person's follow-ups, in the order planned."""
    found, position = [], 0
    while True:
        section = steady.recorder.select_notifications(
            position, PAGE, topics=[PLANNED_TOPIC], inclusive_of_start=False
        )
        for notification in section:
            event = steady.mapper.to_domain_event(notification)
            found.append((event.originator_id, event.incident_ref))
        if len(section) < PAGE:
            return found
        position = section[-1].id


class FollowUpsDue:
    def __init__(self, steady: Steady, owner_organisation: Callable[[str], str]) -> None:
        self._steady = steady
        self._owner_organisation = owner_organisation
        self._lock = threading.Lock()
        self._streams: dict[UUID, FollowUps] = {}
        self.position = 0

    def catch_up(self) -> None:
        with self._lock:
            while True:
                section = self._steady.recorder.select_notifications(
                    self.position, PAGE, topics=TOPICS, inclusive_of_start=False
                )
                for notification in section:
                    event = self._steady.mapper.to_domain_event(notification)
                    current = self._streams.get(event.originator_id)
                    self._streams[event.originator_id] = event.mutate(current)
                    self.position = notification.id
                if len(section) < PAGE:
                    return

    def state(self) -> dict[UUID, dict]:
        """Every stream as plain values (FollowUps.as_record): to compare with the store."""
        self.catch_up()
        with self._lock:
            return {i: f.as_record() for i, f in self._streams.items()}

    def open_check_ins(self, at: datetime | None = None) -> list[DueCheckIn]:
        """Every open check-in of everyone, in due order; overdue as of `at` (now)."""
        return self._due(at or self._steady.clock(), lambda _: True)

    def for_owner(self, username: str, at: datetime) -> list[DueCheckIn]:
        return self._due(at, lambda owner: owner == username)

    def for_viewer(self, account: Account, at: datetime) -> list[DueCheckIn]:
        """What this person may see and record: their own, their organisation's, or all."""
        return self._due(
            at,
            lambda owner: may_record_check_in(
                account, owner=owner, owner_organisation=self._owner_organisation(owner)
            ),
        )

    def check_in_states(self, school_of: Callable[[str], str]) -> list[CheckInState]:
        """Every check-in planned and not replaced, recorded or not, for the district's
        recovery picture (service/recovery/district.py); `school_of` gives a person's school."""
        self.catch_up()
        with self._lock:
            found = [
                (f.person_ref, f.incident_ref, c.due, c.recorded.at if c.recorded else None)
                for f in self._streams.values()
                for c in f.check_ins.values()
                if not c.cancelled
            ]
        return [
            CheckInState(person, incident, school_of(person), due, recorded)
            for person, incident, due, recorded in found
        ]

    def _due(self, at: datetime, owner_wanted: Callable[[str], bool]) -> list[DueCheckIn]:
        self.catch_up()
        with self._lock:
            owners = {f.owner for f in self._streams.values()}
        # Asked outside the lock (it may read an account from the store), once an owner.
        wanted = {owner for owner in owners if owner_wanted(owner)}
        # Rows are built under the lock: a catch-up folds events into the streams in place.
        with self._lock:
            rows = [
                row for f in self._streams.values() if f.owner in wanted for row in _rows(f, at)
            ]
        return sorted(rows, key=lambda r: (r.due, r.incident_ref, r.person_ref, r.check_in_id))


def _rows(follow_ups: FollowUps, at: datetime) -> Iterable[DueCheckIn]:
    for check_in in follow_ups.open_check_ins():
        yield DueCheckIn(
            person_ref=follow_ups.person_ref,
            incident_ref=follow_ups.incident_ref,
            check_in_id=check_in.id,
            label=check_in.label,
            due=check_in.due,
            overdue=check_in.overdue(at),
            owner=follow_ups.owner,
            tier=follow_ups.tier,
            milestone=check_in.milestone,
        )
