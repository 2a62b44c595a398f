"""Every class's and staff member's report as the log says now, kept in memory and brought up to
date from the log (the accounting events after the last position read) before each read, as the
help desk's queue is (service/help_requests/queue.py). Derived state: thrown away with the
process, rebuilt from the log. The commander's counts are worked out from it, so a read never
folds a stream from the store."""

import threading
from collections import defaultdict
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.accounting import ClassAccount, StaffAccount
from service.incidents.application import Steady

EVENT_CLASSES = [
    value
    for aggregate in (ClassAccount, StaffAccount)
    for value in vars(aggregate).values()
    if isinstance(value, type) and issubclass(value, aggregate.Event)
    and value is not aggregate.Event
]  # fmt: skip
TOPICS = [get_topic(cls) for cls in EVENT_CLASSES]
PAGE = 1000


class AccountingLog:
    def __init__(self, steady: Steady) -> None:
        self._steady = steady
        self._lock = threading.Lock()
        self._classes: dict[UUID, dict[str, ClassAccount]] = defaultdict(dict)  # by incident
        self._staff: dict[UUID, dict[str, StaffAccount]] = defaultdict(dict)
        self._streams: dict[UUID, ClassAccount | StaffAccount] = {}
        self.position = 0

    def catch_up(self) -> None:
        with self._lock:
            while True:
                section = self._steady.recorder.select_notifications(
                    self.position, PAGE, topics=TOPICS, inclusive_of_start=False
                )
                for notification in section:
                    event = self._steady.mapper.to_domain_event(notification)
                    # Copy on write is not needed: readers get the lists below under the lock
                    # and read only fields that an event replaces whole (marks are a new Mark).
                    current = self._streams.get(event.originator_id)
                    folded = event.mutate(current)
                    self._streams[event.originator_id] = folded
                    if isinstance(folded, ClassAccount):
                        self._classes[folded.incident_id][folded.class_id] = folded
                    elif isinstance(folded, StaffAccount):
                        self._staff[folded.incident_id][folded.person_ref] = folded
                    self.position = notification.id
                if len(section) < PAGE:
                    return

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
