"""Every class's and staff member's report as the log says now, kept in memory and brought up to
date from the log (the accounting events after the last position read) before each read, by the
same LogFold the board uses. Derived state: thrown away with the process, rebuilt from the log.
The commander's counts are worked out from it, so a read never folds a stream from the store."""

from collections import defaultdict
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.accounting import ClassAccount, StaffAccount
from service.incidents.application import Steady
from service.live.log_fold import LogFold

EVENT_CLASSES = [
    value
    for aggregate in (ClassAccount, StaffAccount)
    for value in vars(aggregate).values()
    if isinstance(value, type) and issubclass(value, aggregate.Event)
    and value is not aggregate.Event
]  # fmt: skip
TOPICS = [get_topic(cls) for cls in EVENT_CLASSES]


class AccountingLog(LogFold[tuple[int, Any]]):
    def __init__(self, steady: Steady) -> None:
        def read_after(position: int, limit: int) -> list[tuple[int, Any]]:
            section = steady.recorder.select_notifications(
                position, limit, topics=TOPICS, inclusive_of_start=False
            )
            return [(n.id, steady.mapper.to_domain_event(n)) for n in section]

        super().__init__(read_after)
        self._classes: dict[UUID, dict[str, ClassAccount]] = defaultdict(dict)  # by incident
        self._staff: dict[UUID, dict[str, StaffAccount]] = defaultdict(dict)
        self._streams: dict[UUID, ClassAccount | StaffAccount] = {}

    def _fold(self, events: list[tuple[int, Any]]) -> None:
        for position, event in events:
            # Copy on write is not needed: readers get the lists below under the lock and read
            # only fields that an event replaces whole (marks are a new Mark).
            folded = event.mutate(self._streams.get(event.originator_id))
            self._streams[event.originator_id] = folded
            if isinstance(folded, ClassAccount):
                self._classes[folded.incident_id][folded.class_id] = folded
            elif isinstance(folded, StaffAccount):
                self._staff[folded.incident_id][folded.person_ref] = folded
            self.position = position

    def classes(self, incident_id: UUID) -> dict[str, ClassAccount]:
        """The class reports of an incident by class id (a snapshot of the marks, safe to read)."""
        self.catch_up()
        with self._lock:
            return {k: _snapshot(v) for k, v in self._classes.get(incident_id, {}).items()}

    def staff(self, incident_id: UUID) -> dict[str, StaffAccount]:
        self.catch_up()
        with self._lock:
            return dict(self._staff.get(incident_id, {}))


def _snapshot(account: ClassAccount) -> ClassAccount:
    """The same report with its own dict of marks, so a fold afterwards does not change it."""
    copy = object.__new__(ClassAccount)
    copy.__dict__.update(account.__dict__)
    copy.marks = dict(account.marks)
    copy.first_marked = dict(account.first_marked)
    return copy
