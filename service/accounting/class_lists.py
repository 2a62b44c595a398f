"""Who is to be accounted for in an incident, from the rosters: the classes in session at each of
its schools when it was opened (their periods, else their homerooms), each with its teachers'
accounts, its room and its students; and the staff of those schools.

Built on Rosters' public reads, and kept per incident until the roster changes: Rosters holds
the roster (asking the store at most once a second), and a new import's roster makes every list
be read again. A class's students
with their names are read the first time someone opens that class, then kept NAMES_KEPT_FOR
seconds (and forgotten at once when an identity is erased in this process)."""

import logging
import threading
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from domain.incident import Incident
from domain.organisation import school_key
from domain.roster import RosterContents
from service.accounts.service import Accounts
from service.rosters.service import ClassInSession, Rosters, RosterStudent, StaffMember

log = logging.getLogger(__name__)
# Seconds a class's names are kept once read: an identity erased in another process is gone from
# every list here within this (in this process, at once: `forget`).
NAMES_KEPT_FOR = 30.0


@dataclass(frozen=True)
class PlannedClass:
    class_id: str
    school: str  # the Steady school's id
    school_name: str
    title: str
    room: str
    teachers: tuple[str, ...]  # the Steady accounts of its teachers ("" for none matched)
    students: tuple[str, ...]  # pseudonyms of the students enrolled that day


@dataclass(frozen=True)
class Plan:
    """Who an incident's accounting expects to hear of."""

    opened_at: datetime
    schools: dict[str, str]  # the incident's schools on the roster: id -> name
    classes: dict[str, PlannedClass]  # by the roster's class id
    staff: dict[str, StaffMember]  # by pseudonym
    school_students: dict[str, frozenset[str]]  # school id -> pseudonyms of its students
    staff_school: dict[str, str]  # a staff member's pseudonym -> the (first) school's id

    def school_names_of(self, person_ref: str) -> str:
        return self.schools.get(self.staff_school.get(person_ref, ""), "")

    def classes_taught_by(self, username: str) -> list[PlannedClass]:
        return [c for c in self.classes.values() if username in c.teachers]

    def staff_with_account(self, username: str) -> StaffMember | None:
        return next((s for s in self.staff.values() if s.account == username), None)


class ClassLists:
    def __init__(self, rosters: Rosters, accounts: Accounts) -> None:
        self.rosters = rosters
        self.accounts = accounts
        self._lock = threading.Lock()
        # One reader builds an incident's plan at a time: 120 teachers opening their class at
        # once wait for the first to do it, rather than all doing it.
        self._building = threading.Lock()
        self._contents: RosterContents | None = None
        self._plans: dict[UUID, Plan] = {}
        # class id -> (read at, its students with names); school id -> (read at, its students)
        self._students: dict[str, tuple[float, list[RosterStudent]]] = {}
        self._directories: dict[str, tuple[float, list[RosterStudent]]] = {}

    def forget(self, person_ref: str) -> None:
        """Drops every name kept: a person's identity was erased."""
        with self._lock:
            self._students.clear()
            self._directories.clear()

    def _current(self) -> RosterContents:
        """The roster's contents (Rosters holds them, asking the store at most once a second);
        every kept list is dropped when they are a new roster's."""
        contents = self.rosters.contents()
        with self._lock:
            if contents is not self._contents:
                self._contents = contents
                self._plans.clear()
                self._students.clear()
                self._directories.clear()
        return contents

    def plan(self, incident: Incident) -> Plan:
        contents = self._current()
        with self._lock:
            found = self._plans.get(incident.id)
        if found is not None:
            return found
        with self._building:
            with self._lock:
                found = self._plans.get(incident.id)
            if found is not None:
                return found
            plan = self._plan(incident, contents)
            with self._lock:
                self._plans[incident.id] = plan
        # Every class's names read now, in the background: the first teachers to open their
        # class then wait for their own list only, and the commander's names are ready.
        threading.Thread(target=self._warm, args=(plan,), daemon=True).start()
        return plan

    def _warm(self, plan: Plan) -> None:
        try:
            for planned in plan.classes.values():
                self.students(planned, plan.opened_at)
        except Exception:  # the store went away (a test ended, say): a teacher reads it later
            log.debug("could not read the class lists ahead", exc_info=True)

    def _plan(self, incident: Incident, contents: RosterContents) -> Plan:
        wanted = {school_key(s) for s in incident.schools}
        schools = {
            o.slug: o.name
            for o in self.accounts.organisations()
            if o.kind == "school" and (o.slug in wanted or school_key(o.name) in wanted)
        }
        at = incident.created_on
        day = at.astimezone(self.rosters.steady.zone).date()
        classes: dict[str, PlannedClass] = {}
        staff: dict[str, StaffMember] = {}
        staff_school: dict[str, str] = {}
        school_students: dict[str, frozenset[str]] = {}
        enrolled = _enrolled(contents, day)
        for slug, name in schools.items():
            for found in self.rosters.classes_in_session(slug, at):
                classes[found.class_id] = _planned(found, name, enrolled.get(found.class_id, ()))
            for member in self.rosters.staff_of(slug):
                staff[member.person_ref] = member
                staff_school.setdefault(member.person_ref, slug)
            school_students[slug] = frozenset(
                m.person_ref
                for m in contents.members.values()
                if m.role == "student" and slug in m.schools
            )
        return Plan(at, schools, classes, staff, school_students, staff_school)

    def students(self, planned: PlannedClass, on: datetime) -> list[RosterStudent]:
        """A class's students with their names (from the identity vault), kept once read."""
        self._current()
        with self._lock:
            kept = self._students.get(planned.class_id)
        if kept is not None and time.monotonic() - kept[0] < NAMES_KEPT_FOR:
            return kept[1]
        day = on.astimezone(self.rosters.steady.zone).date()
        read_at = time.monotonic()
        found = self.rosters.students_of(planned.class_id, day)
        with self._lock:
            self._students[planned.class_id] = (read_at, found)
        return found

    def directory(self, school: str) -> list[RosterStudent]:
        """Every student of a school with their name: what a teacher searches to add an extra
        student (one read of the vault), kept NAMES_KEPT_FOR seconds."""
        self._current()
        with self._lock:
            kept = self._directories.get(school)
        if kept is not None and time.monotonic() - kept[0] < NAMES_KEPT_FOR:
            return kept[1]
        read_at = time.monotonic()
        found = self.rosters.students_at(school)
        with self._lock:
            self._directories[school] = (read_at, found)
        return found


def _enrolled(contents: RosterContents, day: date) -> dict[str, tuple[str, ...]]:
    """Each class's students enrolled on that day, by pseudonym."""
    refs: dict[str, set[str]] = defaultdict(set)
    for e in contents.enrollments.values():
        member = contents.members.get(e.member_id)
        if e.role == "student" and member is not None and e.current_on(day):
            refs[e.class_id].add(member.person_ref)
    return {k: tuple(sorted(v)) for k, v in refs.items()}


def _planned(found: ClassInSession, school_name: str, students: tuple[str, ...]) -> PlannedClass:
    return PlannedClass(
        class_id=found.class_id,
        school=found.school,
        school_name=school_name,
        title=found.title,
        room=found.location,
        teachers=tuple(t.account for t in found.teachers if t.account),
        students=students,
    )
