"""What the accounting part answers with: plain values the pages and the API show."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.accounting import Counts


@dataclass(frozen=True)
class StudentLine:
    person_ref: str
    name: str
    grade: str
    status: str  # a status of domain.accounting.STATUSES, or "unknown"
    with_adult: str
    last_seen: str
    extra: bool
    custody_alert: bool
    marked_at: datetime | None
    marked_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person_ref,
            "name": self.name,
            "grade": self.grade,
            "status": self.status,
            "with_adult": self.with_adult,
            "last_seen": self.last_seen,
            "extra": self.extra,
            "custody_alert": self.custody_alert,
            "marked_at": self.marked_at.isoformat() if self.marked_at else None,
            "marked_by": self.marked_by,
        }


@dataclass(frozen=True)
class ClassSheet:
    """One class's list as its teacher marks it."""

    incident: str
    class_id: str
    title: str
    school: str
    school_name: str
    room: str
    location: str
    teachers: tuple[str, ...]
    students: tuple[StudentLine, ...]
    counts: Counts
    first_reported: datetime | None
    last_reported: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "class_id": self.class_id,
            "title": self.title,
            "school": self.school,
            "school_name": self.school_name,
            "room": self.room,
            "location": self.location,
            "teachers": list(self.teachers),
            "students": [s.as_dict() for s in self.students],
            "counts": self.counts.as_dict(),
            "first_reported": _moment(self.first_reported),
            "last_reported": _moment(self.last_reported),
        }


@dataclass(frozen=True)
class StaffLine:
    person_ref: str
    name: str
    role: str
    account: str
    school: str
    status: str  # of domain.accounting.STAFF_STATUSES, or "unknown"
    where: str
    reported_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person_ref,
            "name": self.name,
            "role": self.role,
            "account": self.account,
            "school": self.school,
            "status": self.status,
            "where": self.where,
            "reported_at": _moment(self.reported_at),
        }


@dataclass(frozen=True)
class ClassReport:
    """A class on the commander's view: whether it has reported, and its counts."""

    class_id: str
    title: str
    school: str
    teachers: tuple[str, ...]
    location: str
    counts: Counts
    first_reported: datetime | None

    @property
    def reported(self) -> bool:
        return self.first_reported is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "class_id": self.class_id,
            "title": self.title,
            "school": self.school,
            "teachers": list(self.teachers),
            "location": self.location,
            "counts": self.counts.as_dict(),
            "reported": self.reported,
            "first_reported": _moment(self.first_reported),
        }


@dataclass(frozen=True)
class MissingStudent:
    person_ref: str
    name: str
    school: str
    class_title: str
    last_seen: str
    marked_at: datetime
    marked_by: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.person_ref,
            "name": self.name,
            "school": self.school,
            "class": self.class_title,
            "last_seen": self.last_seen,
            "marked_at": self.marked_at.isoformat(),
            "marked_by": self.marked_by,
        }


@dataclass(frozen=True)
class SchoolCounts:
    school: str
    name: str
    counts: Counts  # each student once, by the best word on them across classes
    by_location: dict[str, Counts]
    classes: int
    classes_reported: int
    staff: int
    staff_reported: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "school": self.school,
            "name": self.name,
            "counts": self.counts.as_dict(),
            "by_location": {k: v.as_dict() for k, v in self.by_location.items()},
            "classes": self.classes,
            "classes_reported": self.classes_reported,
            "staff": self.staff,
            "staff_reported": self.staff_reported,
        }


@dataclass(frozen=True)
class CommandView:
    """The incident commander's picture."""

    incident: str
    kind: str
    opened_at: datetime
    counts: Counts
    schools: tuple[SchoolCounts, ...]
    classes: tuple[ClassReport, ...]
    missing: tuple[MissingStudent, ...]
    staff_not_accounted: tuple[StaffLine, ...]
    staff_injured: tuple[StaffLine, ...]
    everyone_accounted_for_at: datetime | None
    extras: dict[str, int] = field(default_factory=dict)

    @property
    def classes_reported(self) -> int:
        return sum(1 for c in self.classes if c.reported)

    @property
    def share_reported(self) -> float:
        return self.classes_reported / len(self.classes) if self.classes else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident,
            "kind": self.kind,
            "opened_at": self.opened_at.isoformat(),
            "counts": self.counts.as_dict(),
            "classes_total": len(self.classes),
            "classes_reported": self.classes_reported,
            "share_reported": round(self.share_reported, 4),
            "schools": [s.as_dict() for s in self.schools],
            "classes": [c.as_dict() for c in self.classes],
            "not_reported": [c.as_dict() for c in self.classes if not c.reported],
            "missing": [m.as_dict() for m in self.missing],
            "staff_not_accounted": [s.as_dict() for s in self.staff_not_accounted],
            "staff_injured": [s.as_dict() for s in self.staff_injured],
            "everyone_accounted_for_at": _moment(self.everyone_accounted_for_at),
        }


def _moment(at: datetime | None) -> str | None:
    return at.isoformat() if at else None
