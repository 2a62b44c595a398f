"""Notes on an incident: adding one, and correcting one (the original stays in the stream).
Mixed into Incident, whose events these commands record."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.errors import DomainError, NotFound
from domain.people import Actor
from domain.recording import ChainedEvent, RecordsInChain
from domain.task import Task
from domain.text import check_text


@dataclass(frozen=True)
class Note:
    id: str
    text: str
    task_id: str
    at: datetime
    by: Actor
    corrects: str = ""  # the note this one corrects; that note stays in the stream
    reason: str = ""
    corrected_by: str = ""  # set on the original when a later note corrects it
    shared_with: tuple[str, ...] = ()  # partner organisations that may read it


class IncidentNotes(RecordsInChain):
    """What the team writes down as the incident goes on."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    notes: dict[str, Note]
    NoteAdded: type[ChainedEvent]
    NoteCorrected: type[ChainedEvent]
    _require_open: Callable[[str], None]
    task: Callable[[str], Task]

    def add_note(self, text: str, *, task_id: str = "", actor: Actor, at: datetime) -> str:
        self._require_open("add a note")
        if task_id:
            self.task(task_id)
        note_id = f"N{len(self.notes) + 1}"
        self._record(
            self.NoteAdded,
            actor,
            at,
            note_id=note_id,
            text=check_text("note", text, multiline=True),
            task_id=task_id,
        )
        return note_id

    def correct_note(
        self, note_id: str, text: str, *, reason: str, actor: Actor, at: datetime
    ) -> str:
        self._require_open("correct a note")
        original = self.note(note_id)
        if original.corrected_by:
            raise DomainError(
                f"note {note_id} was already corrected by {original.corrected_by}; "
                f"correct {original.corrected_by} instead"
            )
        new_id = f"N{len(self.notes) + 1}"
        self._record(
            self.NoteCorrected,
            actor,
            at,
            note_id=new_id,
            corrects=note_id,
            text=check_text("corrected note", text, multiline=True),
            reason=check_text("reason for the correction", reason, multiline=True),
        )
        return new_id

    def current_notes(self) -> list[Note]:
        return [n for n in self.notes.values() if not n.corrected_by]

    def note(self, note_id: str) -> Note:
        note = self.notes.get(note_id)
        if note is None:
            raise NotFound(f"{self.reference} has no note {note_id}")
        return note
