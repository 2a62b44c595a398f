"""Drills and the moments an after-action review times: any incident can be opened as a drill
(its Opened event says so), and on any incident, drill or real, the team records when everyone
was accounted for and when reunification was completed (the first time counts), how many took
part, and what to change next time. Mixed into Incident, whose events these commands record."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain import moments
from domain.errors import DomainError
from domain.numbers import check_whole_number
from domain.people import Actor
from domain.recording import ChainedEvent, RecordsInChain
from domain.text import check_text

# More than any school district's building holds: a typing slip, not a drill.
MOST_PARTICIPANTS = 100_000


@dataclass(frozen=True)
class TimedMoment:
    """A moment the review times from the start: when it happened, and who said so when."""

    moment: datetime
    recorded_at: datetime
    by: Actor


@dataclass(frozen=True)
class Participants:
    count: int
    note: str
    recorded_at: datetime
    by: Actor


@dataclass(frozen=True)
class ChangeToMake:
    """One "what to change" item a lead wrote for the next drill or incident."""

    id: str
    text: str
    at: datetime
    by: Actor


@dataclass(frozen=True)
class DrillTimes:
    """From the start (the incident's opening) to each moment, where it is known."""

    to_everyone_accounted_for: timedelta | None
    to_reunification_completed: timedelta | None
    to_close: timedelta | None


class IncidentDrill(RecordsInChain):
    """The drill flag and the moments and notes of an after-action review."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    created_on: datetime
    closed_at: datetime | None
    drill: bool
    everyone_accounted_for: TimedMoment | None
    reunification_completed: TimedMoment | None
    participants: Participants | None
    changes_to_make: list[ChangeToMake]
    EveryoneAccountedFor: type[ChainedEvent]
    ReunificationCompleted: type[ChainedEvent]
    ParticipantsRecorded: type[ChainedEvent]
    ChangeToMakeRecorded: type[ChainedEvent]
    _require_open: Callable[[str], None]

    def record_everyone_accounted_for(
        self, moment: datetime, *, actor: Actor, at: datetime
    ) -> bool:
        """Records when everyone was accounted for; False (nothing recorded) if it already
        was: the first report is the one the review times."""
        self._require_open("record that everyone is accounted for")
        if self.everyone_accounted_for is not None:
            return False
        self._record(self.EveryoneAccountedFor, actor, at, moment=self._checked(moment, at))
        return True

    def record_reunification_completed(
        self, moment: datetime, *, actor: Actor, at: datetime
    ) -> bool:
        """Records when the last student was reunified; False if it already was."""
        self._require_open("record that reunification is completed")
        if self.reunification_completed is not None:
            return False
        self._record(self.ReunificationCompleted, actor, at, moment=self._checked(moment, at))
        return True

    def record_participants(self, count: int, note: str, *, actor: Actor, at: datetime) -> None:
        """How many took part (students, staff and visitors together), with a note on who; a
        later count replaces the one before (a correction, kept in the stream)."""
        self._require_open("record the participants")
        self._record(
            self.ParticipantsRecorded,
            actor,
            at,
            count=check_whole_number(
                "participants", count, least=1, most=MOST_PARTICIPANTS, detail=" (people)"
            ),
            note=check_text("participants note", note, required=False, multiline=True),
        )

    def record_change_to_make(self, text: str, *, actor: Actor, at: datetime) -> str:
        self._require_open("record what to change")
        change_id = f"C{len(self.changes_to_make) + 1}"
        self._record(
            self.ChangeToMakeRecorded,
            actor,
            at,
            change_id=change_id,
            text=check_text("what to change", text, multiline=True),
        )
        return change_id

    def drill_times(self) -> DrillTimes:
        def since_start(moment: datetime | None) -> timedelta | None:
            return None if moment is None else max(moment - self.created_on, timedelta(0))

        return DrillTimes(
            since_start(self.everyone_accounted_for and self.everyone_accounted_for.moment),
            since_start(self.reunification_completed and self.reunification_completed.moment),
            since_start(self.closed_at),
        )

    def _checked(self, moment: datetime, at: datetime) -> datetime:
        moments.check_moment("moment", moment)
        if moment > at + moments.CLOCK_TOLERANCE:
            raise DomainError(
                f"the moment ({moment.isoformat()}) is in the future; record it once it has "
                "happened"
            )
        if moment < self.created_on - moments.CLOCK_TOLERANCE:
            raise DomainError(
                f"the moment ({moment.isoformat()}) is before {self.reference} was opened "
                f"({self.created_on.isoformat()}); give a moment since then"
            )
        return moment
