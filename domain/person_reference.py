"""Affected people's pseudonyms (P-0007), drawn from one district-wide sequence as incident
references are drawn per year (domain/reference.py), and the kinds and grades a record takes."""

import re
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.recording import RecordsWhoActed

KINDS = ("student", "staff", "family")
GRADES = ("PK", "K", *(str(n) for n in range(1, 13)))
REFERENCE_PATTERN = re.compile(r"^P-\d{4,}$")
MAX_AFFECTED = 2000


def format_person_reference(number: int) -> str:
    return f"P-{number:04d}"


def check_person_reference(ref: object) -> str:
    value = ref.strip().upper() if isinstance(ref, str) else ""
    if not REFERENCE_PATTERN.match(value):
        raise DomainError(
            f"{ref!r} is not a person's reference: write it as P-0007 does, P- and at least "
            "four digits, such as P-0007 or P-10042"
        )
    return value


def check_grade(kind: str, grade: object) -> str:
    value = str(grade).strip().upper() if grade not in (None, "") else ""
    if kind != "student":
        if value:
            raise DomainError(f"a grade is for students only: leave it out for {kind}")
        return ""
    if value not in GRADES:
        raise DomainError(
            f"grade {grade!r} is not a grade: give one of {', '.join(GRADES)} for a student"
        )
    return value


class PersonSequence(RecordsWhoActed, Aggregate):
    """The district-wide sequence of pseudonyms. Drawing a number and recording the person are
    saved together, so two writers who draw the same number conflict and one draws again."""

    @staticmethod
    def id_for() -> UUID:
        return uuid5(STEADY_NAMESPACE, "person-sequence")

    @classmethod
    def start(cls) -> "PersonSequence":
        return cls._create(cls.Started, id=cls.id_for())

    class Started(Aggregate.Created):
        pass

    def __init__(self) -> None:
        self.last_number = 0

    def next_reference(self) -> str:
        self._issue(self.last_number + 1)
        return format_person_reference(self.last_number)

    @event("Issued")
    def _issue(self, number: int) -> None:
        self.last_number = number
