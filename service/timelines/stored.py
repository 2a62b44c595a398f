"""Told timelines kept in the store's own database, so that the first reading of a long incident
after a restart reads its entries instead of decoding and telling every event again.

Derived state, like the board: the projector (service.timelines.projection) writes it from the log
and it can be thrown away (`forget()`) and rebuilt. Nothing here is the record: the events are.
Readers trust it only as far as the incident's stream confirms it (see service.timelines.reading).

Three tables (their SQL, per database, in service.timelines.stored_dialects), per telling: the
format of the rows, the district's time zone (the entries' times are in it) and the edition of
the code that tells them (a release that words an entry differently starts afresh):
- entries: one told entry per incident and version. A correction's arrival rewrites the
  corrected note's entry to say so (the one place a row changes: a told timeline changes there).
- outlines: per incident, the version told so far with its reference, title and tasks.
- tracking: the log position the projector has told up to.
An incident's entries, its outline and the tracking position are written in one transaction.

The stored row format (a contract: a change of it is a new FORMAT, never a reinterpretation):
- Clear: `telling` ("format-2 <zone> <edition>": a format number, an IANA zone name and a hash
  of the telling code), `incident_id` (derived from the reference), `version` and, in tracking,
  `position`. Nothing personal: the store needs these to find, order and compare rows.
- Sealed (service.timelines.sealing), with the cipher of the store's events (the mapper's
  AESCipher, STEADY_CIPHER_KEY): `entries.entry` and `outlines.outline` are each one blob,
  cipher.encrypt(incident_id's 16 bytes + version as 4 bytes big-endian + JSON). The JSON is the
  entry (service.timelines.narration), or {"reference", "title", "tasks": [[id, title], ...]}
  for an outline. The id and version inside bind a blob to its row: one moved to another row
  does not open there, and is not trusted.
  One blob per row: a 10,000-entry read is 10,000 small decryptions (under 2 µs each), while
  appending an event still writes only its own row.
- Format 1 (releases before this one) held the JSON in clear text, under tellings without a
  "format-" prefix. Opening the tables deletes every row of such a telling, and then rewrites
  the tables' storage (VACUUM on SQLite, VACUUM FULL on PostgreSQL) so that what was deleted
  does not linger in free pages.
Without a cipher (a store opened without a key) nothing is stored: readers tell from the stream.
"""

import hashlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import ApplicationRecorder, Cipher

from domain import incident, kinds
from service.timelines import local_times, narration
from service.timelines.narration import Entry, corrected
from service.timelines.sealing import Seal, unopened
from service.timelines.stored_dialects import (
    ENTRIES,
    OUTLINES,
    TRACKING,
    NoStoredTimelines,
    dialect_of,
)

log = logging.getLogger(__name__)

# The code whose every change can change what an entry says.
TELLING_CODE = (narration, local_times, kinds, incident)
EDITION = hashlib.sha256(
    b"".join(Path(module.__file__ or "").read_bytes() for module in TELLING_CODE)
).hexdigest()[:16]

# The stored row format (see above). Tellings of another format are another release's rows.
FORMAT = 2
FORMAT_PREFIX = "format-"

_decode = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class Outline:
    """What a timeline's pages show beside its entries, as of `version`."""

    version: int
    reference: str
    title: str
    tasks: tuple[tuple[str, str], ...]  # (id, title), in the order the tasks were added

    @classmethod
    def of(cls, told_incident: incident.Incident, version: int) -> "Outline":
        """The outline of an incident told up to `version`."""
        return cls(
            version=version,
            reference=told_incident.reference,
            title=told_incident.title,
            tasks=tuple((task.id, task.title) for task in told_incident.tasks.values()),
        )


@dataclass(frozen=True)
class IncidentTold:
    """One incident's newly told entries, to be written together."""

    incident_id: UUID
    outline: Outline
    entries: Sequence[Entry]
    corrections: Sequence[tuple[int, Entry]]  # (version of the note's entry, its corrected_by)


class StoredTimelines:
    """The told timelines of one store, in one district time zone."""

    def __init__(
        self, recorder: ApplicationRecorder, zone: str, *, cipher: Cipher | None, edition: str = ""
    ) -> None:
        if cipher is None:  # storing them unencrypted would put every note on disk in clear
            raise NoStoredTimelines("a store without a cipher key keeps no told timelines")
        self.zone = zone
        # Entries are told in one zone by one edition of the telling code, and stored in one
        # format: another zone, format or telling gets timelines of its own, built afresh.
        self.telling = f"{FORMAT_PREFIX}{FORMAT} {zone} {edition or EDITION}"
        self._seal = Seal(cipher)
        self._sql = dialect_of(recorder)
        self._sql.create_tables()
        self._purge_clear_text()
        # What this process's projector has written, for readers that wait on it.
        self._projected = threading.Condition()
        self._wake_projector: Callable[[], None] | None = None
        self._written_versions: dict[UUID, int] = {}

    # -- reading ----------------------------------------------------------------------------

    def read(self, incident_id: UUID) -> tuple[Outline, list[Entry]] | None:
        """The incident's stored outline and entries 1..outline.version, or None if it has no
        stored timeline yet."""
        outline = self.outline(incident_id)
        if outline is None:
            return None
        entries = self.entries(incident_id, outline.version)
        return None if entries is None else (outline, entries)

    def outline(self, incident_id: UUID) -> Outline | None:
        """How far the incident's timeline is stored, with its reference, title and tasks."""
        with self._sql.reading() as curs:
            row = self._sql.fetch_one(curs, "outline", (self.telling, self._sql.key(incident_id)))
        if row is None:
            return None
        version, sealed = row
        opened = self._seal.open(sealed, incident_id, version)
        if opened is None:
            return None
        data = _decode(opened)
        return Outline(
            version=version,
            reference=data["reference"],
            title=data["title"],
            tasks=tuple((task_id, title) for task_id, title in data["tasks"]),
        )

    def entries(self, incident_id: UUID, version: int) -> list[Entry] | None:
        """The incident's stored entries 1..version, or None if any of them is missing."""
        with self._sql.reading() as curs:
            rows = self._sql.fetch_all(
                curs, "entries", (self.telling, self._sql.key(incident_id), version)
            )
        if len(rows) != version:  # not 1..version without a gap: never trust a part
            return None
        # The loop of _open() inlined: this runs once per entry of a long timeline.
        decrypt, head, opened = self._seal.decrypt, incident_id.bytes, []
        for version_, (sealed,) in enumerate(rows, start=1):
            try:
                plain = decrypt(sealed)
            except ValueError:
                plain = b""
            if plain[:16] != head or int.from_bytes(plain[16:20], "big") != version_:
                return unopened(incident_id, version_)
            opened.append(plain[20:])
        return _decode(b"[" + b",".join(opened) + b"]")

    def tracked_position(self) -> int:
        """The log position the projector has told every incident up to (0 if none)."""
        with self._sql.reading() as curs:
            row = self._sql.fetch_one(curs, "tracking", (self.telling,))
        return int(row[0]) if row else 0

    # -- writing (the projector) --------------------------------------------------------------

    def write(self, told: Sequence[IncidentTold], position: int) -> None:
        """Adds newly told entries and moves the tracking position on, in one transaction.

        Idempotent: entries already stored are kept; an outline or a position never moves back;
        a note's entry keeps the latest correction of it. So two processes projecting the same
        log, or one projecting again after a failure, leave the same tables."""
        with self._sql.writing() as curs:
            rows = [
                (
                    self.telling,
                    self._sql.key(t.incident_id),
                    e["version"],
                    self._seal.seal(t.incident_id, e["version"], e),
                )
                for t in told
                for e in t.entries
            ]
            if rows:
                self._sql.execute_many(curs, "insert_entry", rows)
            for t in told:
                for version, corrected_by in t.corrections:
                    self._correct(curs, t.incident_id, version, corrected_by)
                outline = self._seal.seal(
                    t.incident_id,
                    t.outline.version,
                    {
                        "reference": t.outline.reference,
                        "title": t.outline.title,
                        "tasks": t.outline.tasks,
                    },
                )
                self._sql.execute(
                    curs,
                    "upsert_outline",
                    (self.telling, self._sql.key(t.incident_id), t.outline.version, outline),
                )
            self._sql.execute(curs, "upsert_tracking", (self.telling, position))
        with self._projected:
            for t in told:
                self._written_versions[t.incident_id] = t.outline.version
            self._projected.notify_all()

    def _correct(self, curs: Any, incident_id: UUID, version: int, corrected_by: Entry) -> None:
        key = (self.telling, self._sql.key(incident_id), version)
        row = self._sql.fetch_one(curs, "entry", key)
        if row is None:
            raise LookupError(f"no stored entry {version} of incident {incident_id} to correct")
        opened = self._seal.open(row[0], incident_id, version)
        if opened is None:
            raise LookupError(f"stored entry {version} of incident {incident_id} does not open")
        entry = _decode(opened)
        earlier = entry.get("corrected_by")
        if earlier is not None and earlier["version"] >= corrected_by["version"]:
            return  # a later correction is stored already
        sealed = self._seal.seal(incident_id, version, corrected(entry, corrected_by))
        self._sql.execute(curs, "update_entry", (sealed, *key))

    # -- rows of an earlier format ------------------------------------------------------------

    def _purge_clear_text(self) -> int:
        """Deletes every row of a clear-text format (1) and rewrites the tables' storage so the
        deleted bytes are gone from the database files too; returns how many rows went. Cheap
        when there is nothing to purge: a few index lookups."""
        with self._sql.reading() as curs:
            clear = {
                telling
                for table in (ENTRIES, OUTLINES, TRACKING)
                for telling in self._sql.tellings(curs, table)
                if not telling.startswith(FORMAT_PREFIX)
            }
        if not clear:
            return 0
        deleted = 0
        with self._sql.writing() as curs:
            for telling in sorted(clear):
                for table in (ENTRIES, OUTLINES, TRACKING):
                    deleted += self._sql.delete_telling(curs, table, telling)
        log.info("deleted %d clear-text stored timeline rows of an earlier release", deleted)
        try:
            self._sql.compact()
        except Exception:  # another process busy on the store: not a reason to stop this one
            log.exception(
                "could not rewrite the stored timeline tables after deleting clear text: "
                "what was deleted may remain in free pages until the database is VACUUMed"
            )
        return deleted

    def projector_started(self, wake: Callable[[], None]) -> None:
        """A projector in this process writes from now on (`wake` has it read the log at once,
        rather than at its next poll): readers may wait for it."""
        with self._projected:
            self._wake_projector = wake

    def wait_for(self, incident_id: UUID, version: int, timeout: float) -> bool:
        """Wakes this process's projector and waits until it has written the incident up to
        `version`; False if no projector runs here or it did not within `timeout` seconds."""
        with self._projected:
            wake = self._wake_projector
        if wake is None:
            return False
        wake()  # another process wrote the events: on SQLite nothing else would wake it now
        with self._projected:
            return self._projected.wait_for(
                lambda: self._written_versions.get(incident_id, 0) >= version, timeout
            )

    def forget(self) -> None:
        """Throws every stored timeline away (of every telling): the projector rebuilds them."""
        with self._sql.writing() as curs:
            for table in (ENTRIES, OUTLINES, TRACKING):
                self._sql.execute(curs, f"delete_{table}", ())
