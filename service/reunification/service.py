"""Reunification's commands and reads, over one stream per incident (domain/reunification.py)
and the roster's reads (service/rosters/service.py): who the students of the incident's schools
are, who their guardians are, and whether a custody alert stands.

The checker's verification is decided here against the roster: the adult's name given at
check-in is looked for among the student's guardians (letters and spaces as written, case aside);
the checker says only whether the ID shown matches that adult. Every command retries on a
conflict with another writer (a second station saving at the same moment).

The reads check no permission: web/reunification asks view_reunification, run_reunification
and decide_reunification at the edge (service/reunification/access.py)."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from eventsourcing.application import AggregateNotFoundError

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.people import Actor
from domain.reunification import (
    REUNIFICATION_KINDS,
    WAITING_CHECK,
    AlreadyReleased,
    Case,
    Counts,
    Reunification,
    check_kind,
    reunification_id,
)
from service.incidents.application import Steady
from service.rosters.service import GuardianContact, Rosters, RosterStudent
from service.store.retrying import retry_on_conflict

T = TypeVar("T")
TOO_BUSY = "the store is too busy to record this step now; try again"
MAX_FOUND = 30  # students a search shows


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


@dataclass(frozen=True)
class CaseView:
    """A case as the stations show it: the student's name from the roster (the vault)."""

    case: Case
    student_name: str
    grade: str
    custody_alert: bool
    guardians: tuple[GuardianContact, ...]  # the roster's guardians, while the checker checks


@dataclass(frozen=True)
class ReunificationView:
    incident_ref: str
    place: str
    opened_at: datetime
    counts: Counts
    cases: tuple[CaseView, ...]
    last_reunified_at: datetime | None


class Reunifications:
    def __init__(self, steady: Steady, rosters: Rosters) -> None:
        self.steady = steady
        self.rosters = rosters

    # -- reading ------------------------------------------------------------------------------

    def _incident(self, ref: str) -> Incident:
        return self.steady.incident(ref)

    def find(self, ref: str) -> Reunification | None:
        """The incident's reunification, or None if none was opened (NotFound: no incident)."""
        incident = self._incident(ref)
        try:
            found = self.steady.repository.get(reunification_id(incident.id))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, Reunification) else None

    def get(self, ref: str) -> Reunification:
        found = self.find(ref)
        if found is None:
            raise NotFound(f"no reunification is open on {ref}: open it first, naming its site")
        return found

    def counts(self, ref: str) -> Counts:
        return self.get(ref).counts()

    def last_reunified_at(self, incident_ref: str) -> datetime | None:
        """When the last student was released (None: no reunification, or no one yet): the
        drill's "start to the last student reunified" ends here."""
        found = self.find(incident_ref)
        return found.last_released_at if found is not None else None

    def students(self, ref: str) -> dict[str, RosterStudent]:
        """The roster's students of the incident's schools, by pseudonym."""
        found: dict[str, RosterStudent] = {}
        for school in self._incident(ref).schools:
            try:
                at_school = self.rosters.students_at(school)
            except NotFound:
                continue  # a school the roster does not have
            found.update({s.person_ref: s for s in at_school})
        return found

    def search(self, ref: str, query: str) -> list[RosterStudent]:
        """Students of the incident's schools whose name has every word of the query (or whose
        pseudonym it is), by name; at most MAX_FOUND."""
        words = query.casefold().split()
        if not words:
            return []
        found = [
            s
            for s in self.students(ref).values()
            if s.person_ref.casefold() == query.strip().casefold()
            or all(w in s.name.casefold() for w in words)
        ]
        return found[:MAX_FOUND]

    def view(self, ref: str) -> ReunificationView:
        reunification = self.get(ref)
        students = self.students(ref)
        cases = []
        for case in reunification.cases.values():
            student = students.get(case.student)
            # The roster's guardians only where the checker compares them: a read each.
            checking = student is not None and case.status == WAITING_CHECK
            guardians = self.rosters.guardians_of(case.student).guardians if checking else ()
            cases.append(
                CaseView(
                    case,
                    student.name if student else "",
                    student.grade if student else "",
                    student.custody_alert if student else False,
                    guardians,
                )
            )
        return ReunificationView(
            incident_ref=reunification.incident_ref,
            place=reunification.place,
            opened_at=reunification.created_on,
            counts=reunification.counts(),
            cases=tuple(cases),
            last_reunified_at=reunification.last_released_at,
        )

    # -- the commands -------------------------------------------------------------------------

    def open(self, ref: str, place: str, actor: Actor, *, at: datetime | None = None) -> str:
        """Opens reunification on the incident at a site; refused if one is open already."""
        incident = self._incident(ref)
        check_kind(incident.kind)
        if incident.closed:
            raise DomainError(f"{incident.reference} is closed: reopen it to reunite families")
        if self.find(ref) is not None:
            raise DomainError(f"reunification is open on {incident.reference} already")
        reunification = Reunification.open(
            incident_id=incident.id,
            incident_ref=incident.reference,
            kind=incident.kind,
            place=place,
            actor=actor,
            at=at or self.steady.clock(),
        )
        self.steady.save(reunification)
        return reunification.place

    def _change(self, ref: str, step: Callable[[Reunification, datetime], T]) -> T:
        incident = self._incident(ref)
        if incident.closed:
            raise DomainError(
                f"{incident.reference} is closed, and its reunification with it: reopen the "
                "incident to go on"
            )
        incident_ref = incident.reference

        def attempt() -> T:
            reunification = self.get(incident_ref)
            try:
                done = step(reunification, self.steady.clock())
            except AlreadyReleased as error:  # said in the district's time
                raise DomainError(error.said_in(self.steady.zone)) from error
            self.steady.save(reunification)
            return done

        return retry_on_conflict(attempt, too_busy=TOO_BUSY)

    def check_in(
        self, ref: str, name: str, id_shown: str, students: list[str], actor: Actor
    ) -> list[str]:
        """The greeter's station: the adult, the ID they showed, the students they came for
        (pseudonyms of students of the incident's schools). Returns the cases opened."""
        known = self.students(ref)
        for student in students:
            if student.strip() and student.strip().upper() not in known:
                raise DomainError(
                    f"{student} is not a student of this incident's schools on the roster: "
                    "search for the student by name and choose them from the list"
                )
        return self._change(
            ref, lambda r, at: r.check_in(name, id_shown, students, actor=actor, at=at)
        )

    def verify(self, ref: str, number: str, *, id_matches: bool, actor: Actor) -> Case:
        """The checker's station: the roster says whether the adult is a listed guardian and
        whether a custody alert stands; the checker whether the ID matches."""
        case = self.get(ref).case(number)
        on_roster = self.rosters.guardians_of(case.student)
        match = next(
            (g for g in on_roster.guardians if same_name(g.name, case.guardian_name)), None
        )
        return self._change(
            ref,
            lambda r, at: r.verify(
                number,
                id_matches=id_matches,
                listed=match is not None,
                custody_alert=on_roster.custody_alert,
                guardian_ref=match.person_ref if match else "",
                actor=actor,
                at=at,
            ),
        )

    def decide(self, ref: str, number: str, *, release: bool, reason: str, actor: Actor) -> Case:
        return self._change(
            ref,
            lambda r, at: r.decide(number, release=release, reason=reason, actor=actor, at=at),
        )

    def fetch(self, ref: str, number: str, actor: Actor) -> Case:
        return self._change(ref, lambda r, at: r.fetch(number, actor=actor, at=at))

    def ask(self, ref: str, number: str, *, comfortable: bool, actor: Actor) -> Case:
        return self._change(
            ref, lambda r, at: r.ask(number, comfortable=comfortable, actor=actor, at=at)
        )

    # -- for the family updates ---------------------------------------------------------------

    def open_ones(self) -> list[tuple[Incident, Reunification]]:
        """The reunifications of open incidents."""
        found = []
        for incident in self.steady.incidents():
            if incident.kind not in REUNIFICATION_KINDS:
                continue
            try:
                reunification = self.steady.repository.get(reunification_id(incident.id))
            except AggregateNotFoundError:
                continue
            found.append((incident, reunification))
        return found
