"""The district's roster as imported from its student information system (OneRoster 1.1 CSV):
academic sessions, classes, the people on it and who is enrolled where.

One roster per district, one stream. Each import that changes anything records one `Changed`
event holding only what changed (entries set, entries removed), so importing the same files
twice records nothing. No name is in it: a person on the roster is their pseudonym (P-0007),
whose identity is in the vault as any affected person's is; the event holds the roster's own
ids (OneRoster sourcedIds), roles, grades, class titles, rooms and periods, and the Steady
username a teacher was matched to. Event state is encrypted at rest like every event's."""

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from typing import Any

from eventsourcing.domain import Aggregate

from domain.people import Actor
from domain.recording import ActorEvent, OneOfItsKind

# What the roster keeps, each a dict of entries by their OneRoster sourcedId.
KINDS = ("sessions", "classes", "members", "enrollments")
# OneRoster's roles, and the kind of person record each is in Steady.
PERSON_KINDS: dict[str, str] = {
    "student": "student",
    "teacher": "staff",
    "administrator": "staff",
    "aide": "staff",
    "guardian": "family",
    "parent": "family",
    "relative": "family",
}
TIMES = re.compile(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})")


def period_times(period: str) -> tuple[time, time] | None:
    """A period's start and end when it says them (such as "1 08:00-08:50"); OneRoster's
    periods are free text, usually a label alone ("1"), which says no time."""
    found = TIMES.search(period)
    if found is None:
        return None
    h1, m1, h2, m2 = (int(g) for g in found.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        return None
    return time(h1, m1), time(h2, m2)


@dataclass(frozen=True)
class RosterSession:
    sourced_id: str
    title: str
    type: str  # schoolYear, semester, term, gradingPeriod
    start: date
    end: date

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "start": self.start.isoformat(), "end": self.end.isoformat()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RosterSession":
        return cls(
            sourced_id=data["sourced_id"],
            title=data["title"],
            type=data["type"],
            start=date.fromisoformat(data["start"]),
            end=date.fromisoformat(data["end"]),
        )


@dataclass(frozen=True)
class RosterClass:
    sourced_id: str
    school: str  # the Steady school's id (slug)
    title: str
    class_code: str
    class_type: str  # homeroom or scheduled
    location: str
    periods: tuple[str, ...]
    terms: tuple[str, ...]  # academic sessions' sourcedIds

    def timed_periods(self) -> list[tuple[time, time]]:
        return [t for t in (period_times(p) for p in self.periods) if t is not None]

    def meets_at(self, moment: time) -> bool:
        return any(start <= moment < end for start, end in self.timed_periods())

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "periods": list(self.periods), "terms": list(self.terms)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RosterClass":
        return cls(
            **{
                **data,
                "periods": tuple(data["periods"]),
                "terms": tuple(data["terms"]),
            }
        )


@dataclass(frozen=True)
class GuardianLink:
    sourced_id: str  # the guardian's own entry on the roster
    relationship: str  # their OneRoster role: guardian, parent or relative


@dataclass(frozen=True)
class RosterMember:
    """A person on the roster: no name here, only their pseudonym and the roster's facts."""

    sourced_id: str
    role: str  # OneRoster's role
    person_ref: str  # their person record, P-0007
    schools: tuple[str, ...]  # Steady school ids
    grade: str = ""
    username: str = ""  # the roster's username, kept for staff only (to match accounts)
    account: str = ""  # the Steady account a staff member was matched to, by username or email
    guardians: tuple[GuardianLink, ...] = field(default_factory=tuple)
    custody_alert: bool = False  # do not release the student without a lead

    @property
    def kind(self) -> str:
        return PERSON_KINDS[self.role]

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["schools"] = list(self.schools)
        data["guardians"] = [asdict(g) for g in self.guardians]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RosterMember":
        return cls(
            **{
                **data,
                "schools": tuple(data["schools"]),
                "guardians": tuple(GuardianLink(**g) for g in data["guardians"]),
            }
        )


@dataclass(frozen=True)
class RosterEnrollment:
    sourced_id: str
    class_id: str
    member_id: str
    role: str  # student, teacher (OneRoster also has aide, guardian, administrator)
    primary: bool
    begins: date | None
    ends: date | None

    def current_on(self, day: date) -> bool:
        begun = self.begins is None or self.begins <= day
        return begun and (self.ends is None or day <= self.ends)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["begins"] = self.begins.isoformat() if self.begins else None
        data["ends"] = self.ends.isoformat() if self.ends else None
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RosterEnrollment":
        return cls(
            **{
                **data,
                "begins": date.fromisoformat(data["begins"]) if data["begins"] else None,
                "ends": date.fromisoformat(data["ends"]) if data["ends"] else None,
            }
        )


ENTRY_TYPES: dict[str, Any] = {
    "sessions": RosterSession,
    "classes": RosterClass,
    "members": RosterMember,
    "enrollments": RosterEnrollment,
}


@dataclass(frozen=True)
class RosterContents:
    """Everything a roster holds, by kind and sourcedId: what an import would make it."""

    sessions: dict[str, RosterSession] = field(default_factory=dict)
    classes: dict[str, RosterClass] = field(default_factory=dict)
    members: dict[str, RosterMember] = field(default_factory=dict)
    enrollments: dict[str, RosterEnrollment] = field(default_factory=dict)

    def of(self, kind: str) -> dict[str, Any]:
        found: dict[str, Any] = getattr(self, kind)
        return found


@dataclass(frozen=True)
class RosterChange:
    """What an import changes: entries to set (new or different) and ids to remove."""

    set: dict[str, dict[str, dict[str, Any]]]
    removed: dict[str, list[str]]

    @property
    def empty(self) -> bool:
        return not any(self.set.values()) and not any(self.removed.values())

    def counts(self) -> dict[str, dict[str, int]]:
        return {
            kind: {"set": len(self.set.get(kind, {})), "removed": len(self.removed.get(kind, []))}
            for kind in KINDS
        }


def change_between(held: RosterContents, wanted: RosterContents) -> RosterChange:
    setting: dict[str, dict[str, dict[str, Any]]] = {}
    removing: dict[str, list[str]] = {}
    for kind in KINDS:
        now, then = held.of(kind), wanted.of(kind)
        setting[kind] = {k: v.as_dict() for k, v in then.items() if now.get(k) != v}
        removing[kind] = sorted(k for k in now if k not in then)
    return RosterChange(setting, removing)


class Roster(OneOfItsKind, Aggregate):
    ID_NAME = "roster"

    class Event(ActorEvent):
        NAME = "roster_event"

    class Started(Event, Aggregate.Created):
        NAME = "roster_started"

    class Changed(Event):
        """One import's changes: `set` holds whole entries by kind and sourcedId, `removed`
        the sourcedIds gone from the files (or marked tobedeleted); `source` names the files."""

        NAME = "roster_changed"

        source: str
        set: dict[str, dict[str, dict[str, Any]]]
        removed: dict[str, list[str]]

        def apply(self, roster: "Roster") -> None:
            for kind in KINDS:
                entries = roster.contents.of(kind)
                for key in self.removed.get(kind, []):
                    entries.pop(key, None)
                for key, data in self.set.get(kind, {}).items():
                    entries[key] = ENTRY_TYPES[kind].from_dict(data)
            roster.imports += 1

    def __init__(self, **_: Any) -> None:
        self.contents = RosterContents()
        self.imports = 0

    def change_to(
        self, wanted: RosterContents, *, source: str, actor: Actor, at: datetime
    ) -> RosterChange:
        """Records what differs between the roster held and the one wanted; nothing when they
        are the same."""
        change = change_between(self.contents, wanted)
        if not change.empty:
            self._record(
                self.Changed, actor, at, source=source, set=change.set, removed=change.removed
            )
        return change
