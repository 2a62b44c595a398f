"""The incidents this process has lately read or written, held in memory and brought up to
date on every use with only the events they have not yet seen.

An incident's stream only grows, so an incident folded up to version N stays true: the next use
asks the store for the events after N (one indexed query, whoever wrote them: this process or
another instance on the same database) and folds only those, on a copy (domain.incident_state
.fork), so whoever still reads the previous object is not disturbed. A cold incident is loaded
from its latest snapshot and the events after it. Nothing is trusted that the store did not
say: holding only saves reading and folding the same events again.

What `latest()` returns is shared between threads: never change it (commands fork it).
"""

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from uuid import UUID

from domain.incident import Incident
from domain.incident_state import fork
from service.store.folding import fold

# A year-long incident of 10,000 events holds a few MB: this bounds what a process gives them.
MAX_INCIDENTS = 256


class _Slot:
    __slots__ = ("incident", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.incident: Incident | None = None


class HeldIncidents:
    def __init__(
        self,
        load: Callable[[UUID], Incident],
        newer: Callable[[UUID, int], Iterable[Incident.Event]],
        *,
        max_incidents: int = MAX_INCIDENTS,
    ) -> None:
        """`load(id)` reads an incident whole (from its snapshot and the events after it);
        `newer(id, version)` reads its events after a version."""
        self._load = load
        self._newer = newer
        self.max_incidents = max_incidents
        self._lock = threading.Lock()  # guards _slots only; never held while reading the store
        self._slots: OrderedDict[UUID, _Slot] = OrderedDict()

    def latest(self, incident_id: UUID) -> Incident:
        """The incident as the store holds it now (AggregateNotFoundError if it has no
        events). Never change what it returns."""
        slot = self._slot(incident_id)
        with slot.lock:
            held = slot.incident
            if held is None:
                held = self._load(incident_id)
            else:
                events = list(self._newer(incident_id, held.version))
                if events:
                    held = fold(fork(held), events)
            assert held is not None
            slot.incident = held
        self._trim()
        return held

    def holds(self, incident_id: UUID) -> bool:
        with self._lock:
            slot = self._slots.get(incident_id)
            return slot is not None and slot.incident is not None

    def saved(self, incident: Incident) -> None:
        """An incident this process has just saved: held from now on, if it is newer than what
        is held (another thread may have read a later one meanwhile)."""
        slot = self._slot(incident.id)
        with slot.lock:
            if slot.incident is None or slot.incident.version < incident.version:
                slot.incident = incident

    def forget(self, incident_id: UUID) -> None:
        with self._lock:
            self._slots.pop(incident_id, None)

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)

    def _slot(self, incident_id: UUID) -> _Slot:
        with self._lock:
            slot = self._slots.get(incident_id)
            if slot is None:
                slot = self._slots[incident_id] = _Slot()
            self._slots.move_to_end(incident_id)
            return slot

    def _trim(self) -> None:
        with self._lock:
            while len(self._slots) > self.max_incidents:
                self._slots.popitem(last=False)
