"""The help requests as the log says now, kept in memory and brought up to date from the log
(the HelpRequest events after the last position read) before each read, as follow-ups due are
(service/follow_ups/due.py). Derived state: thrown away with the process and rebuilt from the
log. It finds a request by its reference (the stream's id derives from the reporter's case code,
which the desk never has) and gives the desk's queue cheaply."""

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.help_categories import target_minutes
from domain.help_request import HelpRequest
from service.help_requests.views import QueueItem
from service.incidents.application import Steady

EVENT_CLASSES = [
    value
    for value in vars(HelpRequest).values()
    if isinstance(value, type) and issubclass(value, HelpRequest.Event)
    and value is not HelpRequest.Event
]  # fmt: skip
TOPICS = [get_topic(cls) for cls in EVENT_CLASSES]
PAGE = 1000


class HelpQueue:
    def __init__(self, steady: Steady, targets: dict[str, int] | None = None) -> None:
        self._steady = steady
        self._targets = targets or {}
        self._lock = threading.Lock()
        self._streams: dict[UUID, HelpRequest] = {}
        self._ids: dict[str, UUID] = {}  # reference -> stream id
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
                    request = event.mutate(current)
                    self._streams[event.originator_id] = request
                    self._ids[request.reference] = event.originator_id
                    self.position = notification.id
                if len(section) < PAGE:
                    return

    def id_of(self, reference: str) -> UUID | None:
        self.catch_up()
        with self._lock:
            return self._ids.get(reference)

    def target(self, request: HelpRequest) -> int:
        return target_minutes(request.category, request.life_safety, self._targets)

    def items(self, wanted: Callable[[HelpRequest], bool] = lambda _: True) -> list[QueueItem]:
        """The requests wanted, as the queue shows them: life-safety first, then the shortest
        target, then the oldest; spam after everything else."""
        self.catch_up()
        with self._lock:  # a catch-up folds events into the requests in place
            rows = [self._item(r) for r in self._streams.values() if wanted(r)]
        return sorted(
            rows,
            key=lambda i: (i.spam, not i.life_safety, i.target_minutes, i.received_at),
        )

    def requests(self, wanted: Callable[[HelpRequest], bool]) -> list[tuple[str, UUID]]:
        """(reference, stream id) of the requests wanted, in the order received."""
        self.catch_up()
        with self._lock:
            found = [(r.reference, i) for i, r in self._streams.items() if wanted(r)]
        return sorted(found, key=lambda found: (len(found[0]), found[0]))

    def _item(self, request: HelpRequest) -> QueueItem:
        minutes = self.target(request)
        return QueueItem(
            reference=request.reference,
            route=request.route,
            category=request.category,
            life_safety=request.life_safety,
            school=request.school,
            received_at=request.received_at,
            acknowledged_at=request.acknowledged_at,
            first_response_at=request.first_response_at,
            target_minutes=minutes,
            due_at=due_at(request.received_at, minutes),
            status=request.status,
            assigned_to=request.assigned_to,
            escalated_to=[e.username for e in request.escalations],
            spam=bool(request.spam),
            unread_from_reporter=request.unread_from_reporter,
        )


def due_at(received_at: datetime, minutes: int) -> datetime:
    return received_at + timedelta(minutes=minutes)
