"""The board: every incident as the log says now, kept in memory and brought up to date from
the log before each read. Derived state: thrown away with the process, rebuilt from the log."""

import copy
import threading
from collections.abc import Callable
from uuid import UUID

from domain.incident import Incident
from service.live.feed_events import FeedEvent

PAGE = 1000


class Board:
    def __init__(self, read_after: Callable[[int, int], list[FeedEvent]]) -> None:
        self._read_after = read_after
        self._incidents: dict[UUID, Incident] = {}
        self._order: list[UUID] = []
        self.position = 0
        self._lock = threading.Lock()

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

    def catch_up(self) -> None:
        with self._lock:
            while True:
                events = self._read_after(self.position, PAGE)
                self._fold(events)
                if len(events) < PAGE:
                    return

    def _fold(self, events: list[FeedEvent]) -> None:
        copied: set[UUID] = set()
        for feed_event in events:
            incident_id = feed_event.incident_id
            current = self._incidents.get(incident_id)
            if current is None:
                self._order.append(incident_id)
            elif incident_id not in copied:
                # Copy on write, once a batch: readers may still hold the previous object.
                current = copy.deepcopy(current)
            copied.add(incident_id)
            self._incidents[incident_id] = feed_event.event.mutate(current)
            self.position = feed_event.position
