"""An incident's timeline for people who audit it: every event in order, in plain language
(see service.timelines.narration), narrowed by filters, and as CSV for a spreadsheet.

A timeline is always as current as the store. It is read from the first of these that has it:
- the process's timeline cache (service.timelines.cache), which asks the store for the events
  after those it has told on every read and tells only those;
- the told timelines stored beside the events (service.timelines.stored), when the incident's
  stream confirms they hold its latest event (waiting a moment for this process's projector if
  it is just behind);
- telling the whole stream, into the cache.

`Timelines` holds the cache and the stored timelines of one application. The composition root
(service.bootstrap) builds one per process and hands it to every reader, so that readers and the
projector share them.
"""

import csv
import io
import threading
from collections.abc import Iterable
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from service.incidents.application import Steady
from service.live.feed_events import EVENT_CLASSES
from service.timelines.cache import TimelineCache, Told
from service.timelines.local_times import local_time
from service.timelines.narration import Entry, narrate
from service.timelines.stored import StoredTimelines
from service.timelines.stored_dialects import NoStoredTimelines

__all__ = [
    "CSV_COLUMNS",
    "EVENT_KINDS",
    "Timelines",
    "check_kind",
    "local_time",
    "narrate",
    "select",
    "timeline_csv",
]

PROJECTOR_WAIT_SECONDS = 1.0
EVENT_KINDS = tuple(cls.NAME for cls in EVENT_CLASSES)
CSV_COLUMNS = ("position", "version", "at", "user", "role", "type", "task_id", "phase", "text")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Timelines:
    """The timelines of one application's incidents: the cache of those read lately in this
    process, and the told timelines kept in its store (one set per time zone)."""

    def __init__(self, steady: Steady, *, cache: TimelineCache | None = None) -> None:
        self.steady = steady
        self.cache = cache or TimelineCache()
        self._stored: dict[str, StoredTimelines | None] = {}
        self._stored_lock = threading.Lock()

    def stored(self, zone: str) -> StoredTimelines | None:
        """The told timelines kept in the store in that zone (one object per zone, so that a
        reader can wait on this process's projector); None for a store that keeps none."""
        with self._stored_lock:
            if zone not in self._stored:
                try:
                    self._stored[zone] = StoredTimelines(
                        self.steady.recorder, zone, cipher=self.steady.mapper.cipher
                    )
                except NoStoredTimelines:
                    self._stored[zone] = None
            return self._stored[zone]

    def timeline(
        self,
        ref: str,
        *,
        zone: ZoneInfo,
        task: str | None = None,
        role: str | None = None,
        phase: str | None = None,
        kind: str | None = None,
    ) -> list[Entry]:
        """Every event of the incident in order, told in plain language; filters narrow it.

        The entries may be shared with other readers: do not change them."""
        check_kind(kind)
        whole = self.told(ref, zone).entries
        return select(whole, task=task, role=role, phase=phase, kind=kind)

    def told(self, ref: str, zone: ZoneInfo) -> Told:
        """The incident's whole timeline as of its latest event, with its reference, title,
        tasks and the roles of those who acted (NotFound for an unknown incident)."""
        incident_id = self.steady.find(ref)
        if not self.cache.holds(incident_id, zone):
            stored = self._stored_told(incident_id, zone)
            if stored is not None:
                return stored
        return self.cache.told(self.steady, ref, zone)

    def _stored_told(self, incident_id: UUID, zone: ZoneInfo) -> Told | None:
        """The stored timeline if it holds the incident's latest event, else None."""
        stored = self.stored(zone.key)
        if stored is None:
            return None
        for attempt in range(2):
            # The outline first: if it is behind, its 10,000 entries are not worth reading yet.
            outline = stored.outline(incident_id)
            latest = self.steady.latest_version(incident_id)
            if outline is not None and outline.version == latest:
                entries = stored.entries(incident_id, latest)
                if entries is None:
                    return None
                roles = (entry["actor"]["role"] for entry in entries)
                return Told.of(incident_id, outline, entries, roles)
            # Behind: a projector in this process is usually a few milliseconds from the end.
            # One not stored at all is new (quick to tell) or waits behind a backlog: do not
            # wait.
            if (
                attempt
                or outline is None
                or not stored.wait_for(incident_id, latest, PROJECTOR_WAIT_SECONDS)
            ):
                return None
        return None


def check_kind(kind: str | None) -> None:
    if kind and kind not in EVENT_KINDS:
        raise DomainError(
            f"unknown kind of event {kind!r}: expected one of {', '.join(EVENT_KINDS)}"
        )


def select(
    entries: Iterable[Entry],
    *,
    task: str | None = None,
    role: str | None = None,
    phase: str | None = None,
    kind: str | None = None,
) -> list[Entry]:
    """The entries that match every filter given; an empty filter matches everything."""
    check_kind(kind)
    wanted_task = (task or "").strip().upper()
    if not (wanted_task or role or phase or kind):
        return list(entries)
    return [
        entry
        for entry in entries
        if (not wanted_task or wanted_task in _tasks_of(entry))
        and (not role or entry["actor"]["role"] == role)
        and (not phase or entry["phase"] == phase)
        and (not kind or entry["type"] == kind)
    ]


def _tasks_of(entry: Entry) -> set[str]:
    """The tasks an entry is about: its own, or those a playbook created."""
    return {entry["task_id"], *entry.get("task_ids", ())} - {None}


def timeline_csv(entries: Iterable[Entry]) -> str:
    """The entries as CSV, one row each; cells a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = [
            e["position"],
            e["version"],
            e["at"],
            e["actor"]["user"],
            e["actor"]["role"],
            e["type"],
            e["task_id"] or "",
            e["phase"],
            e["text"],
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
