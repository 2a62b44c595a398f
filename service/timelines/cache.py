"""Told timelines of recently read incidents, kept in this process and brought up to date from
the store on every read.

An incident's stream only grows, so a timeline told up to version N stays true: the next read
asks the store for the events after N (one query, whoever wrote them: this process or another
instance on the same database) and tells only those. Nothing is trusted that the store did not
say: the cache only saves telling the same events again.

Handlers run in worker threads. A `Told` is never changed once made (its entries included), so
a reader may use it while another thread tells newer events into the next one; telling is done
under one lock per incident, so two readers of one incident never fold the same events twice.
"""

import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from uuid import UUID
from zoneinfo import ZoneInfo

from service.incidents.application import Steady
from service.timelines.narration import Entry, Narrator, Positioned
from service.timelines.stored import Outline

# A told event holds about 1 KB (measured with tracemalloc on bench/replay.py's incident):
# these bound the memory a process gives to timelines, about 50 MB at most.
MAX_INCIDENTS = 32
MAX_ENTRIES = 50_000


@dataclass(frozen=True)
class Told:
    """An incident's timeline as of one version, with what its pages show beside it.

    Shared between readers: do not change `entries` or any entry in it."""

    incident_id: UUID
    reference: str
    title: str
    version: int
    entries: Sequence[Entry]
    tasks: tuple[tuple[str, str], ...]  # (id, title) of every task, in the order they were added
    roles: tuple[str, ...]  # the roles of those who acted, in the order they first did

    @classmethod
    def of(
        cls, incident_id: UUID, outline: Outline, entries: Sequence[Entry], roles: Iterable[str]
    ) -> "Told":
        """The entries with what the pages show beside them: the outline, and each role that
        acted (once, in the order given)."""
        return cls(
            incident_id=incident_id,
            reference=outline.reference,
            title=outline.title,
            version=outline.version,
            entries=entries,
            tasks=outline.tasks,
            roles=tuple(dict.fromkeys(roles)),
        )


class _Slot:
    """One incident in one zone: its narrator, guarded by its lock, and what it told last."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.lock = threading.Lock()
        self.zone = zone
        self.narrator = Narrator(zone)
        self.told: Told | None = None


class TimelineCache:
    """The told timelines of the incidents read most recently (up to `max_incidents`, and up to
    `max_entries` entries in all), the least recently read forgotten first."""

    def __init__(
        self, *, max_incidents: int = MAX_INCIDENTS, max_entries: int = MAX_ENTRIES
    ) -> None:
        self.max_incidents = max_incidents
        self.max_entries = max_entries
        self._lock = threading.Lock()  # guards _slots only; never held while reading the store
        self._slots: OrderedDict[tuple[UUID, ZoneInfo], _Slot] = OrderedDict()

    def told(self, steady: Steady, ref: str, zone: ZoneInfo) -> Told:
        """The incident's timeline up to its latest event in the store (NotFound if none)."""
        incident_id = steady.find(ref)
        slot = self._slot(incident_id, zone)
        with slot.lock:
            try:
                told = self._bring_up_to_date(steady, incident_id, slot)
            except BaseException:
                self._forget(incident_id, zone, slot)  # its narrator may be part-way through
                raise
        self._trim()
        return told

    def holds(self, incident_id: UUID, zone: ZoneInfo) -> bool:
        """Whether the incident's timeline in that zone is held (so one query brings it up to
        date)."""
        with self._lock:
            slot = self._slots.get((incident_id, zone))
            return slot is not None and slot.told is not None

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._slots)

    def _bring_up_to_date(self, steady: Steady, incident_id: UUID, slot: _Slot) -> Told:
        narrator = slot.narrator
        newer = steady.incident_stream(incident_id, after_version=narrator.version)
        if slot.told is not None and not newer:
            return slot.told
        if newer and newer[0][1].originator_version != narrator.version + 1:
            # Not the next events of what was told (cannot happen to an append-only stream):
            # tell the whole stream again rather than trust what is held.
            slot.narrator = narrator = Narrator(slot.zone)
            newer = steady.incident_stream(incident_id)
        slot.told = _told(incident_id, narrator, narrator.tell(newer), newer, slot.told)
        return slot.told

    def _slot(self, incident_id: UUID, zone: ZoneInfo) -> _Slot:
        with self._lock:
            key = (incident_id, zone)
            slot = self._slots.get(key)
            if slot is None:
                slot = self._slots[key] = _Slot(zone)
            self._slots.move_to_end(key)
            return slot

    def _forget(self, incident_id: UUID, zone: ZoneInfo, slot: _Slot) -> None:
        with self._lock:
            if self._slots.get((incident_id, zone)) is slot:
                del self._slots[(incident_id, zone)]

    def _trim(self) -> None:
        with self._lock:
            held = sum(s.narrator.version for s in self._slots.values())
            while self._slots and (
                len(self._slots) > self.max_incidents or held > self.max_entries
            ):
                _, oldest = self._slots.popitem(last=False)
                held -= oldest.narrator.version


def _told(
    incident_id: UUID,
    narrator: Narrator,
    entries: list[Entry],
    newer: Sequence[Positioned],
    before: Told | None,
) -> Told:
    incident = narrator.incident
    assert incident is not None
    earlier_roles = before.roles if before and len(newer) < len(entries) else ()
    roles = dict.fromkeys(earlier_roles)
    roles.update(dict.fromkeys(event.actor["role"] for _, event in newer))
    return Told.of(incident_id, Outline.of(incident, narrator.version), entries, roles)
