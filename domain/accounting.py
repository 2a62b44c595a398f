"""Accounting for all persons during a hold, lockdown, evacuation or shelter: each class's
report (who of its students, and which extra students, are accounted for, missing, injured,
absent or with another adult; where the class is) and each staff member's report of themselves.

One stream per class per incident and one per staff member per incident, so 120 teachers
reporting at once never write to the same stream. Their ids derive from the incident's id and the
roster's own ids (the class's OneRoster sourcedId, the staff member's pseudonym): never a name.
Every mark is an event (who, when); marking a student again records the new status, and the
last one counts. Where a class is and where a missing student was last seen are free text, held
in event state (encrypted at rest)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.recording import ActorEvent, RecordsWhoActed
from domain.text import MAX_TITLE, check_text

# A student's status in a class's report, and what each is called on a page.
STATUSES: dict[str, str] = {
    "accounted": "Accounted for",
    "missing": "Missing",
    "injured": "Injured",
    "absent": "Absent today",
    "with-adult": "With another adult",
}
UNKNOWN = "unknown"  # not reported yet: a count of its own, never a status one gives
# A staff member's report of themselves.
STAFF_STATUSES: dict[str, str] = {
    "safe": "Safe",
    "injured": "Injured",
    "off-site": "Off site",
}
PERSON_REF_FORM = "P-0007"


def class_account_id(incident_id: UUID, class_id: str) -> UUID:
    return uuid5(STEADY_NAMESPACE, f"class-account/{incident_id}/{class_id}")


def staff_account_id(incident_id: UUID, person_ref: str) -> UUID:
    return uuid5(STEADY_NAMESPACE, f"staff-account/{incident_id}/{person_ref}")


def check_status(status: object) -> str:
    if status not in STATUSES:
        raise DomainError(f"unknown status {status!r}: mark a student one of {', '.join(STATUSES)}")
    return str(status)


def check_staff_status(status: object) -> str:
    if status not in STAFF_STATUSES:
        raise DomainError(
            f"unknown status {status!r}: say you are one of {', '.join(STAFF_STATUSES)}"
        )
    return str(status)


@dataclass(frozen=True)
class Mark:
    """The last word on one student in a class's report."""

    person_ref: str
    status: str
    with_adult: str  # which adult, when with another adult
    last_seen: str  # where and when, for a missing student
    extra: bool  # a student of another class, added by the teacher
    at: datetime
    by: str  # the username who marked them


def check_mark(
    status: object, with_adult: object = "", last_seen: object = ""
) -> tuple[str, str, str]:
    """A mark's fields, checked: which adult only (and then required) for with another adult,
    where last seen only for a missing student."""
    checked = check_status(status)
    adult = check_text("with_adult", with_adult or "", limit=MAX_TITLE, required=False)
    seen = check_text("last_seen", last_seen or "", limit=MAX_TITLE, required=False)
    if checked == "with-adult" and not adult:
        raise DomainError("say which adult the student is with (with_adult), e.g. 'the nurse'")
    if checked != "with-adult":
        adult = ""
    if checked != "missing":
        seen = ""
    return checked, adult, seen


class ClassAccount(RecordsWhoActed, Aggregate):
    """One class's report in one incident."""

    class Event(ActorEvent):
        NAME = "class_account_event"

    class Started(Event, Aggregate.Created):
        NAME = "class_account_started"

        incident_id: UUID
        class_id: str  # the roster's sourcedId
        school: str  # the Steady school's id
        location: str  # the class's room, where it starts

    class StudentMarked(Event):
        NAME = "class_account_student_marked"

        person_ref: str
        status: str
        with_adult: str
        last_seen: str
        extra: bool

        def apply(self, account: "ClassAccount") -> None:
            account.marks[self.person_ref] = Mark(
                self.person_ref,
                self.status,
                self.with_adult,
                self.last_seen,
                self.extra,
                self.timestamp,
                self.by.user,
            )
            account.first_marked.setdefault(self.person_ref, self.timestamp)
            if account.first_reported is None:
                account.first_reported = self.timestamp
            account.last_reported = self.timestamp

    class Moved(Event):
        """The class is somewhere else than its room: 'we moved to the football field'."""

        NAME = "class_account_moved"

        location: str

        def apply(self, account: "ClassAccount") -> None:
            account.location = self.location

    def __init__(
        self, *, incident_id: UUID, class_id: str, school: str, location: str, **_: Any
    ) -> None:
        self.incident_id = incident_id
        self.class_id = class_id
        self.school = school
        self.location = location
        self.marks: dict[str, Mark] = {}
        self.first_marked: dict[str, datetime] = {}  # when each student was first marked
        self.first_reported: datetime | None = None
        self.last_reported: datetime | None = None

    @classmethod
    def start(
        cls, *, incident_id: UUID, class_id: str, school: str, location: str, actor: Actor,
        at: datetime,
    ) -> "ClassAccount":  # fmt: skip
        return cls._create(
            cls.Started,
            id=class_account_id(incident_id, class_id),
            timestamp=at,
            actor=actor.as_dict(),
            incident_id=incident_id,
            class_id=class_id,
            school=school,
            location=location,
        )

    def mark(
        self,
        person_ref: str,
        status: str,
        *,
        actor: Actor,
        at: datetime,
        with_adult: str = "",
        last_seen: str = "",
        extra: bool = False,
    ) -> None:
        """Records the student's status; a student marked before keeps whether they are an
        extra. Marking them the same again records nothing."""
        checked, adult, seen = check_mark(status, with_adult, last_seen)
        before = self.marks.get(person_ref)
        is_extra = before.extra if before is not None else extra
        if before is not None and (before.status, before.with_adult, before.last_seen) == (
            checked,
            adult,
            seen,
        ):
            return
        self._record(
            self.StudentMarked,
            actor,
            at,
            person_ref=person_ref,
            status=checked,
            with_adult=adult,
            last_seen=seen,
            extra=is_extra,
        )

    def move_to(self, location: object, *, actor: Actor, at: datetime) -> None:
        where = check_text("location", location, limit=MAX_TITLE)
        if where != self.location:
            self._record(self.Moved, actor, at, location=where)


class StaffAccount(RecordsWhoActed, Aggregate):
    """One staff member's report of themselves in one incident."""

    class Event(ActorEvent):
        NAME = "staff_account_event"

    class Started(Event, Aggregate.Created):
        NAME = "staff_account_started"

        incident_id: UUID
        person_ref: str
        school: str

    class Reported(Event):
        NAME = "staff_account_reported"

        status: str
        where: str

        def apply(self, account: "StaffAccount") -> None:
            account.status = self.status
            account.where = self.where
            account.reported_at = self.timestamp
            account.reported_by = self.by.user
            if account.first_reported is None:
                account.first_reported = self.timestamp

    def __init__(self, *, incident_id: UUID, person_ref: str, school: str, **_: Any) -> None:
        self.incident_id = incident_id
        self.person_ref = person_ref
        self.school = school
        self.status = UNKNOWN
        self.where = ""
        self.reported_at: datetime | None = None
        self.first_reported: datetime | None = None
        self.reported_by = ""

    @classmethod
    def start(
        cls, *, incident_id: UUID, person_ref: str, school: str, actor: Actor, at: datetime
    ) -> "StaffAccount":
        return cls._create(
            cls.Started,
            id=staff_account_id(incident_id, person_ref),
            timestamp=at,
            actor=actor.as_dict(),
            incident_id=incident_id,
            person_ref=person_ref,
            school=school,
        )

    def report(self, status: object, where: object, *, actor: Actor, at: datetime) -> None:
        checked = check_staff_status(status)
        place = check_text("where", where or "", limit=MAX_TITLE, required=False)
        if (checked, place) != (self.status, self.where):
            self._record(self.Reported, actor, at, status=checked, where=place)


@dataclass(frozen=True)
class Counts:
    """How many students are in each state; `unknown` those not reported yet."""

    accounted: int = 0
    missing: int = 0
    injured: int = 0
    absent: int = 0
    with_adult: int = 0
    unknown: int = 0

    @property
    def total(self) -> int:
        return (
            self.accounted + self.missing + self.injured + self.absent + self.with_adult
        ) + self.unknown

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(
            self.accounted + other.accounted,
            self.missing + other.missing,
            self.injured + other.injured,
            self.absent + other.absent,
            self.with_adult + other.with_adult,
            self.unknown + other.unknown,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "accounted": self.accounted,
            "missing": self.missing,
            "injured": self.injured,
            "absent": self.absent,
            "with_adult": self.with_adult,
            "unknown": self.unknown,
            "total": self.total,
        }


def count(expected: list[str], marks: dict[str, Mark]) -> Counts:
    """A class's counts: its students as the list says, with the extras its teacher added;
    a student on the list not marked yet is unknown."""
    tally = dict.fromkeys([*STATUSES, UNKNOWN], 0)
    for ref in expected:
        mark = marks.get(ref)
        tally[mark.status if mark else UNKNOWN] += 1
    for ref, mark in marks.items():
        if ref not in expected:
            tally[mark.status] += 1
    return Counts(
        tally["accounted"],
        tally["missing"],
        tally["injured"],
        tally["absent"],
        tally["with-adult"],
        tally[UNKNOWN],
    )
