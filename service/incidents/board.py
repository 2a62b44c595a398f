"""The board: every incident as the log says now, kept in memory and brought up to date from
the log before each read. Derived state: thrown away with the process, rebuilt from the log."""

from collections.abc import Callable
from uuid import UUID

from domain.incident import Incident
from domain.incident_state import fork
from service.live.feed_events import FeedEvent
from service.live.log_fold import LogFold


class Board(LogFold[FeedEvent]):
    def __init__(self, read_after: Callable[[int, int], list[FeedEvent]]) -> None:
        super().__init__(read_after)
        self._incidents: dict[UUID, Incident] = {}
        self._order: list[UUID] = []

    def incidents(self) -> list[Incident]:
        """Newest first. Returned incidents are never changed afterwards: safe to read."""
        self.catch_up()
        with self._lock:
            return [self._incidents[i] for i in reversed(self._order)]

    def incident(self, incident_id: UUID) -> Incident | None:
        """One incident as the log says now (never changed afterwards: safe to read)."""
        self.catch_up()
        with self._lock:
            return self._incidents.get(incident_id)

    def incident_as_of(self, incident_id: UUID, position: int) -> Incident | None:
        """The incident as the log says now, reading the store only if the board has not yet
        folded the event at `position`: the live feed asks this for every event it sends."""
        if self.position < position:
            self.catch_up()
        with self._lock:
            return self._incidents.get(incident_id)

    def folded(self, incident_id: UUID) -> Incident | None:
        """The incident as the board has folded it so far, never reading the store: the live
        feed brings the board up to date before it judges anything with it."""
        with self._lock:
            return self._incidents.get(incident_id)

    def _fold(self, events: list[FeedEvent]) -> None:
        copied: set[UUID] = set()
        for feed_event in events:
            incident_id = feed_event.incident_id
            current = self._incidents.get(incident_id)
            if current is None:
                self._order.append(incident_id)
            elif incident_id not in copied:
                # Copy on write, once a batch: readers may still hold the previous object.
                current = fork(current)
            copied.add(incident_id)
            self._incidents[incident_id] = feed_event.event.mutate(current)
            self.position = feed_event.position
