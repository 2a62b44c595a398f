"""Reunification by the Standard Reunification Method: the stations a guardian passes through
to take a student home, as one stream per incident.

A guardian checks in at the greeter's station (their name, the ID they showed, the students they
came for): a case opens for each student. A checker verifies the ID and custody against the
roster: a guardian not listed for the student, a custody alert on the student, or an ID that
does not match stops the case, and a lead must decide (release with a reason, or refuse). A
reunifier fetches the student, who is asked whether they are comfortable leaving with that adult:
if not, the case stops for a lead. A student is released once, whoever came for them.

Every step is an event that records who took it and when. The stream's id derives from the
incident's id; guardians' names and the IDs shown are event state (encrypted at rest), and a
student is their pseudonym (P-0007): no name is in an id or a topic."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError, NotFound
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.recording import ActorEvent, RecordsWhoActed
from domain.text import MAX_TITLE, check_text

# The incidents a school reunites families after.
REUNIFICATION_KINDS = frozenset({"hold", "lockdown", "evacuation", "severe-weather", "threat"})

# Where a case stands.
WAITING_CHECK = "checking"  # checked in: the checker verifies ID and custody next
STOPPED = "stopped"  # a lead must decide
VERIFIED = "verified"  # the reunifier fetches the student next
FETCHED = "fetched"  # the student is here: ask whether they are comfortable
RELEASED = "released"
REFUSED = "refused"
OPEN = frozenset({WAITING_CHECK, STOPPED, VERIFIED, FETCHED})

# Why a case stopped, in the words the stations show.
STOP_REASONS: dict[str, str] = {
    "id_mismatch": "the ID shown does not match the person",
    "not_listed": "this adult is not listed as a guardian of the student",
    "custody_alert": "the student has a custody alert",
    "not_comfortable": "the student is not comfortable leaving with this adult",
}
MAX_STUDENTS = 12  # on one check-in: a family, not a class


class AlreadyReleased(DomainError):
    """The student went home already: says when, to whom and in which case."""

    def __init__(self, student: str, case: "Case") -> None:
        self.student = student
        self.case = case
        super().__init__(self.said_in(UTC))

    def said_in(self, zone: tzinfo) -> str:
        at = self.case.released_at
        when = at.astimezone(zone).strftime("%H:%M on %d %b %Y") if at else "an earlier moment"
        return (
            f"{self.student} was already released at {when} to {self.case.guardian_name} "
            f"(case {self.case.number}): a student is released once"
        )


@dataclass
class Step:
    """One step of a case: what was done, when and by whom (the station's staff member)."""

    what: str
    at: datetime
    by: Actor
    said: str = ""


@dataclass
class Case:
    """One student asked for by one guardian."""

    number: str  # C-1, C-2 ... in the order of check-in
    guardian: str  # the check-in's number, G-1 ...
    guardian_name: str
    id_shown: str
    student: str  # the student's pseudonym
    status: str = WAITING_CHECK
    stop_reasons: tuple[str, ...] = ()
    stopped_at_station: str = ""  # "checker" or "reunifier": where a lead's release resumes
    guardian_ref: str = ""  # the roster's guardian the checker matched, if any
    released_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.status in OPEN

    @property
    def stop_text(self) -> str:
        return "; ".join(STOP_REASONS[r] for r in self.stop_reasons)


@dataclass(frozen=True)
class Counts:
    reunified: int  # students released
    students_waiting: int  # students with a case under way
    guardians_waiting: int  # guardians with a case under way
    stopped: int  # cases waiting for a lead

    def as_dict(self) -> dict[str, int]:
        return {
            "reunified": self.reunified,
            "students_waiting": self.students_waiting,
            "guardians_waiting": self.guardians_waiting,
            "stopped": self.stopped,
        }


def reunification_id(incident_id: UUID) -> UUID:
    """The stream's id: from the incident's id alone."""
    return uuid5(STEADY_NAMESPACE, f"reunification/{incident_id}")


def check_kind(kind: str) -> None:
    if kind not in REUNIFICATION_KINDS:
        raise DomainError(
            f"reunification is opened on a hold, lockdown, evacuation, severe-weather or threat "
            f"incident, not on one of kind {kind!r}"
        )


class Reunification(RecordsWhoActed, Aggregate):
    class Event(ActorEvent):
        """Every reunification event: who took the step, when."""

    class Opened(Event, Aggregate.Created):
        NAME = "reunification_opened"

        incident_id: str
        incident_ref: str
        place: str

    class GuardianCheckedIn(Event):
        NAME = "reunification_guardian_checked_in"

        guardian: str
        name: str
        id_shown: str
        students: list[str]

        def apply(self, r: "Reunification") -> None:
            for student in self.students:
                number = f"C-{len(r.cases) + 1}"
                r.cases[number] = Case(number, self.guardian, self.name, self.id_shown, student)
                r.cases[number].steps.append(Step("checked_in", self.timestamp, self.by))
            r.guardians += 1

    class Verified(Event):
        NAME = "reunification_verified"

        case: str
        id_matches: bool
        listed: bool
        custody_alert: bool
        guardian_ref: str

        def apply(self, r: "Reunification") -> None:
            case = r.cases[self.case]
            reasons = []
            if not self.id_matches:
                reasons.append("id_mismatch")
            if not self.listed:
                reasons.append("not_listed")
            if self.custody_alert:
                reasons.append("custody_alert")
            case.guardian_ref = self.guardian_ref
            case.stop_reasons = tuple(reasons)
            case.status = STOPPED if reasons else VERIFIED
            case.stopped_at_station = "checker" if reasons else ""
            case.steps.append(
                Step("stopped" if reasons else "verified", self.timestamp, self.by, case.stop_text)
            )

    class LeadDecided(Event):
        NAME = "reunification_lead_decided"

        case: str
        release: bool
        reason: str

        def apply(self, r: "Reunification") -> None:
            case = r.cases[self.case]
            what = "lead_released" if self.release else "lead_refused"
            case.steps.append(Step(what, self.timestamp, self.by, self.reason))
            if not self.release:
                case.status = REFUSED
            elif case.stopped_at_station == "checker":
                case.status = VERIFIED  # the reunifier fetches the student as for any case
            # A release after the student was asked is the Released event that follows.

    class Fetched(Event):
        NAME = "reunification_fetched"

        case: str

        def apply(self, r: "Reunification") -> None:
            case = r.cases[self.case]
            case.status = FETCHED
            case.steps.append(Step("fetched", self.timestamp, self.by))

    class StudentAsked(Event):
        NAME = "reunification_student_asked"

        case: str
        comfortable: bool

        def apply(self, r: "Reunification") -> None:
            case = r.cases[self.case]
            said = "comfortable" if self.comfortable else "not comfortable"
            case.steps.append(Step("asked", self.timestamp, self.by, said))
            if not self.comfortable:
                case.status = STOPPED
                case.stop_reasons = ("not_comfortable",)
                case.stopped_at_station = "reunifier"

    class Released(Event):
        NAME = "reunification_released"

        case: str

        def apply(self, r: "Reunification") -> None:
            case = r.cases[self.case]
            case.status = RELEASED
            case.released_at = self.timestamp
            case.steps.append(Step("released", self.timestamp, self.by))
            r.released[case.student] = case.number
            r.last_released_at = self.timestamp

    def __init__(self, incident_id: str, incident_ref: str, place: str, **_: Any) -> None:
        self.incident_id = incident_id
        self.incident_ref = incident_ref
        self.place = place
        self.cases: dict[str, Case] = {}
        self.released: dict[str, str] = {}  # student -> the case they were released in
        self.guardians = 0
        self.last_released_at: datetime | None = None

    @classmethod
    def open(
        cls,
        *,
        incident_id: UUID,
        incident_ref: str,
        kind: str,
        place: str,
        actor: Actor,
        at: datetime,
    ) -> "Reunification":
        check_kind(kind)
        return cls._create(
            cls.Opened,
            id=reunification_id(incident_id),
            timestamp=at,
            actor=actor.as_dict(),
            incident_id=str(incident_id),
            incident_ref=incident_ref,
            place=check_text("the reunification site", place, limit=MAX_TITLE),
        )

    # -- reads --------------------------------------------------------------------------------

    def case(self, number: str) -> Case:
        found = self.cases.get(number.strip().upper())
        if found is None:
            raise NotFound(f"there is no case {number!r} in this reunification")
        return found

    def release_of(self, student: str) -> Case | None:
        number = self.released.get(student)
        return self.cases[number] if number else None

    def counts(self) -> Counts:
        open_cases = [c for c in self.cases.values() if c.open]
        return Counts(
            reunified=len(self.released),
            students_waiting=len({c.student for c in open_cases}),
            guardians_waiting=len({c.guardian for c in open_cases}),
            stopped=sum(1 for c in open_cases if c.status == STOPPED),
        )

    # -- the stations -------------------------------------------------------------------------

    def check_in(
        self, name: str, id_shown: str, students: list[str], *, actor: Actor, at: datetime
    ) -> list[str]:
        """The greeter's station: returns the new cases' numbers, one per student."""
        wanted = list(dict.fromkeys(s.strip().upper() for s in students if s.strip()))
        if not wanted:
            raise DomainError("say which students this adult came for: choose at least one")
        if len(wanted) > MAX_STUDENTS:
            raise DomainError(f"at most {MAX_STUDENTS} students on one check-in")
        for student in wanted:
            done = self.release_of(student)
            if done is not None:
                raise AlreadyReleased(student, done)
        first = len(self.cases) + 1
        self._record(
            self.GuardianCheckedIn,
            actor,
            at,
            guardian=f"G-{self.guardians + 1}",
            name=check_text("the adult's name", name, limit=MAX_TITLE),
            id_shown=check_text("the ID shown", id_shown, limit=MAX_TITLE),
            students=wanted,
        )
        return [f"C-{n}" for n in range(first, first + len(wanted))]

    def _at(self, number: str, *statuses: str) -> Case:
        case = self.case(number)
        if case.status == RELEASED:
            raise AlreadyReleased(case.student, case)
        if case.status not in statuses:
            raise DomainError(
                f"case {case.number} is {case.status}, not at this station: "
                + NEXT_STEP[case.status]
            )
        return case

    def verify(
        self,
        number: str,
        *,
        id_matches: bool,
        listed: bool,
        custody_alert: bool,
        guardian_ref: str,
        actor: Actor,
        at: datetime,
    ) -> Case:
        """The checker's station: whether the ID matches, and what the roster says (whether the
        adult is listed as the student's guardian, a custody alert). Any doubt stops the case."""
        case = self._at(number, WAITING_CHECK)
        self._record(
            self.Verified,
            actor,
            at,
            case=case.number,
            id_matches=bool(id_matches),
            listed=bool(listed),
            custody_alert=bool(custody_alert),
            guardian_ref=guardian_ref,
        )
        return case

    def decide(
        self, number: str, *, release: bool, reason: str, actor: Actor, at: datetime
    ) -> Case:
        """A lead's decision on a stopped case: release it (with a reason) or refuse it."""
        case = self._at(number, STOPPED)
        said = check_text("the reason for the decision", reason, limit=MAX_TITLE)
        if release:
            self._refuse_second_release(case)
        self._record(self.LeadDecided, actor, at, case=case.number, release=release, reason=said)
        if release and case.stopped_at_station == "reunifier":
            self._record(self.Released, actor, at, case=case.number)
        return case

    def fetch(self, number: str, *, actor: Actor, at: datetime) -> Case:
        """The reunifier has brought the student to the adult."""
        case = self._at(number, VERIFIED)
        self._refuse_second_release(case)
        self._record(self.Fetched, actor, at, case=case.number)
        return case

    def ask(self, number: str, *, comfortable: bool, actor: Actor, at: datetime) -> Case:
        """The student's answer: comfortable releases them; not comfortable stops the case."""
        case = self._at(number, FETCHED)
        if comfortable:
            self._refuse_second_release(case)
        self._record(self.StudentAsked, actor, at, case=case.number, comfortable=comfortable)
        if comfortable:
            self._record(self.Released, actor, at, case=case.number)
        return case

    def _refuse_second_release(self, case: Case) -> None:
        done = self.release_of(case.student)
        if done is not None:
            raise AlreadyReleased(case.student, done)


# What to do with a case that is not at the station asked.
NEXT_STEP: dict[str, str] = {
    WAITING_CHECK: "the checker verifies the ID and custody first",
    STOPPED: "a lead must decide first",
    VERIFIED: "the reunifier fetches the student next",
    FETCHED: "ask the student whether they are comfortable leaving with this adult",
    REFUSED: "a lead refused it; the adult may not take the student",
    RELEASED: "the student was released",
}
