"""Recovery as a viewer may see it: the district's picture (service/recovery/district.py) over
the incidents they see whole, and each incident's progress for its board card.

Need-to-know decides what is counted (service/access/need_to_know.py `sight`): only incidents
the viewer sees whole contribute. A confidential case a district leader may only count adds
nothing here, not even under its school, so recovery figures cannot be set against the board's
count of confidential cases to learn about its people. Partners see no part of this."""

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from eventsourcing.utils import get_topic

from domain.affected_person import AffectedPerson
from domain.incident import Incident
from domain.school_days import NO_CALENDAR
from service.access.need_to_know import Sight, Viewer, sight
from service.incidents.application import Steady
from service.recovery.district import (
    CheckInState,
    PersonInRecovery,
    ReferralState,
    district_recovery,
)

# The people's events that change what is counted (an identity's events do not).
COUNTED_TOPICS = [
    get_topic(cls)
    for cls in (
        AffectedPerson.Recorded,
        AffectedPerson.AffectedBy,
        AffectedPerson.Triaged,
        AffectedPerson.Referred,
        AffectedPerson.ReferralMoved,
    )
]


class PeopleRows(Protocol):
    """What the people part gives (service/people/queries.py). Named by what it does, so that
    this package imports neither people nor follow-ups, which import its rows."""

    def in_recovery(self) -> tuple[list[PersonInRecovery], list[ReferralState]]: ...


class CheckInRows(Protocol):
    """What the follow-ups due give (service/follow_ups/due.py)."""

    def check_in_states(self, school_of: Callable[[str], str]) -> list[CheckInState]: ...


@dataclass(frozen=True)
class Rows:
    """Everything the picture counts, for every incident: read once per log position."""

    people: list[PersonInRecovery]
    check_ins: list[CheckInState]
    referrals: list[ReferralState]


@dataclass(frozen=True)
class Progress:
    """One incident's recovery so far, for its board card. `due` counts the check-ins due by
    now and those done early, so `done` is never more than `due`."""

    people: int
    due: int
    done: int
    overdue: int

    def as_dict(self) -> dict[str, int]:
        return {"people": self.people, "due": self.due, "done": self.done, "overdue": self.overdue}


class Recovery:
    """Built by the composition root around the people and the follow-ups due."""

    def __init__(self, steady: Steady, people: PeopleRows, follow_ups_due: CheckInRows) -> None:
        self._steady = steady
        self._people = people
        self._follow_ups_due = follow_ups_due
        self._lock = threading.Lock()
        self._people_rows: tuple[list[PersonInRecovery], list[ReferralState]] | None = None
        self._position = 0  # the log's position when the people's rows were read

    def rows(self) -> Rows:
        """Every person, check-in and referral. Reading every person costs a read each, and the
        board asks on each refresh, so the people's rows are kept until an event that changes
        them is in the log (one indexed query to know); the check-ins are in memory already."""
        with self._lock:  # one reader reads the people again; the others wait for its rows
            if self._people_rows is None or self._people_changed():
                position = self._steady.last_position()
                self._people_rows = self._people.in_recovery()
                self._position = position
            people, referrals = self._people_rows
        schools = {p.person_ref: p.school for p in people}
        check_ins = self._follow_ups_due.check_in_states(lambda ref: schools.get(ref, ""))
        return Rows(people, check_ins, referrals)

    def _people_changed(self) -> bool:
        return bool(
            self._steady.recorder.select_notifications(
                self._position, 1, topics=COUNTED_TOPICS, inclusive_of_start=False
            )
        )

    def district(self, viewer: Viewer) -> dict[str, Any]:
        """The district's picture without names, over the incidents (open or closed: recovery
        goes on long after an incident is closed) this viewer sees whole, with the school
        calendar each school counts its days on."""
        every = self._steady.incidents(include_closed=True)
        seen = {i.reference: sight(viewer, i) for i in every}
        # A drill's people (if any were recorded) are never counted as a real recovery.
        drills = {i.reference for i in every if i.drill}
        wanted = {ref for ref, how in seen.items() if how is Sight.WHOLE and ref not in drills}
        rows = self.rows()
        picture = district_recovery(
            [p for p in rows.people if p.incident_ref in wanted],
            [c for c in rows.check_ins if c.incident_ref in wanted],
            [r for r in rows.referrals if r.incident_ref in wanted],
            now=self._steady.clock(),
            zone=self._steady.zone,
        )
        district_calendar = self._steady.calendars_in_force.for_school(None).description
        for row in picture["by_school"]:
            row["calendar"] = calendar_in_force(
                self._steady.school_clock([row["school"]]).calendar.description
            )
        picture["calendar"] = calendar_in_force(district_calendar)
        # Whether some incident is left out for them: the page says so, with no figure.
        picture["confidential_left_out"] = Sight.COUNT in seen.values()
        picture["drills_left_out"] = sum(1 for ref in drills if seen[ref] is Sight.WHOLE)
        return picture

    def progress(self, incidents: Iterable[Incident]) -> dict[str, Progress]:
        """Each of these incidents' recovery so far, for those that have affected people. The
        caller passes only incidents its viewer sees whole."""
        refs = {i.reference for i in incidents}
        if not refs:
            return {}
        rows = self.rows()
        now = self._steady.clock()
        people = Counter(p.incident_ref for p in rows.people if p.incident_ref in refs)
        due: Counter[str] = Counter()
        done: Counter[str] = Counter()
        overdue: Counter[str] = Counter()
        for c in rows.check_ins:
            if c.incident_ref not in refs:
                continue
            if c.recorded_at is not None:
                done[c.incident_ref] += 1
                due[c.incident_ref] += 1
            elif c.due <= now:
                due[c.incident_ref] += 1
                if c.due < now:  # due this very moment is not yet overdue
                    overdue[c.incident_ref] += 1
        return {
            ref: Progress(people[ref], due[ref], done[ref], overdue[ref]) for ref in sorted(people)
        }


def calendar_in_force(description: str) -> dict[str, Any]:
    """Which calendar school days are counted on, in words, and whether one is loaded."""
    return {"loaded": description != NO_CALENDAR, "description": description}
