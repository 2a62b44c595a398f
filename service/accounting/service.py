"""Accounting for all persons: the commands teachers and staff report with, the class lists they
mark, the commander's live picture, and what a drill is timed by.

Who may do what (service/access/permissions.py): `account_for_class` lets a responder report for
the classes they teach (the roster's teacher matched to their account) and for themselves, and a
crisis lead for any class or staff member (a teacher who is absent); `view_accounting` gives the
commander's view to crisis leads, district leaders and auditors anywhere, and to the school
administrators (principal, assistant principal, safety officer) of the incident's schools.
Partners hold neither. Commands take the account and check it here; the edge asks the same
permission first so a refusal is the same whichever check comes first."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from eventsourcing.application import AggregateNotFoundError

from domain.account import Account
from domain.accounting import (
    STATUSES,
    UNKNOWN,
    ClassAccount,
    Counts,
    Mark,
    StaffAccount,
    check_mark,
    class_account_id,
    count,
    staff_account_id,
)
from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.kinds import ACCOUNTING_KINDS, KINDS
from domain.people import Actor
from domain.text import MAX_TITLE, check_text
from service.access.need_to_know import SchoolNames, Sight, sight
from service.access.permissions import Forbidden, Scope, scopes
from service.accounting.class_lists import ClassLists, Plan, PlannedClass
from service.accounting.log import AccountingLog
from service.accounting.views import (
    ClassReport,
    ClassSheet,
    CommandView,
    MissingStudent,
    SchoolCounts,
    StaffLine,
    StudentLine,
)
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.rosters.service import Rosters, RosterStudent
from service.store.retrying import retry_on_conflict

TOO_BUSY = "the store is too busy to record this report now; send it again"
# The school administrators who see the commander's view of their own schools' incidents.
SCHOOL_ADMINISTRATORS = frozenset({"principal", "assistant-principal", "safety-officer"})
# The best word on a student across the classes that marked them: someone has them (injured
# first, the most urgent), else absent today, else missing.
PRECEDENCE = ("injured", "with-adult", "accounted", "absent", "missing")
MAX_MARKS = 200  # a class and its extras, with room to spare
NOT_ACCOUNTING = (
    "{ref} is {kind!r} ({name}): only hold, lockdown, evacuation and severe-weather incidents "
    "account for every student and staff member"
)


@dataclass(frozen=True)
class GivenMark:
    """One line of a report as a teacher sends it."""

    student: str  # pseudonym, P-0007
    status: str
    with_adult: str = ""
    last_seen: str = ""


def given_marks(raw: object) -> list[GivenMark]:
    """A report's marks as the API's JSON gives them, checked for shape."""
    if not isinstance(raw, list):
        raise DomainError(
            "marks must be a list of {student, status}, e.g. "
            '[{"student": "P-0007", "status": "accounted"}]'
        )
    if len(raw) > MAX_MARKS:
        raise DomainError(f"that is {len(raw)} marks: send at most {MAX_MARKS} in one report")
    found = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict) or not isinstance(item.get("student"), str):
            raise DomainError(
                f"mark {number} must say which student (their pseudonym, e.g. P-0007) and their "
                f"status, one of {', '.join(STATUSES)}"
            )
        found.append(
            GivenMark(
                item["student"].strip(),
                item.get("status"),  # type: ignore[arg-type]  # checked by check_mark
                item.get("with_adult") or "",
                item.get("last_seen") or "",
            )
        )
    return found


class Accounting:
    def __init__(
        self, steady: Steady, rosters: Rosters, accounts: Accounts, school_names: SchoolNames
    ) -> None:
        self.steady = steady
        self.accounts = accounts
        self.school_names = school_names
        self.log = AccountingLog(steady)
        self.lists = ClassLists(rosters, accounts)

    # -- who may -----------------------------------------------------------------------------

    def incident(self, ref: str) -> Incident:
        """An incident in which everyone is accounted for; NotFound for any other kind."""
        incident = self.steady.incident(ref)
        if incident.kind not in ACCOUNTING_KINDS:
            raise NotFound(
                NOT_ACCOUNTING.format(
                    ref=incident.reference, kind=incident.kind, name=KINDS[incident.kind]
                )
            )
        return incident

    def _open(self, ref: str) -> Incident:
        """An incident still taking reports: once closed (the all-clear given, everyone gone
        home), its accounting is its record."""
        incident = self.incident(ref)
        if incident.closed:
            raise DomainError(
                f"{incident.reference} is closed: its accounting is kept as it stood; reopen the "
                "incident to report again"
            )
        return incident

    def may_view(self, account: Account, incident: Incident) -> bool:
        found = scopes(account.roles, "view_accounting") if not account.disabled else set()
        if not found or sight(self.school_names.viewer(account), incident) < Sight.WHOLE:
            return False
        if Scope.ALL in found:
            return True
        return Scope.SCHOOL in found and bool(SCHOOL_ADMINISTRATORS & set(account.positions))

    def may_view_ref(self, account: Account, ref: str) -> bool:
        """may_view by the incident's reference; False for an incident that accounts for no one."""
        try:
            return self.may_view(account, self.incident(ref))
        except NotFound:
            return False

    def _require_view(self, account: Account, incident: Incident) -> None:
        if not self.may_view(account, incident):
            raise Forbidden(
                f"{account.username} may not see who is accounted for in {incident.reference}: "
                "crisis leads, district leaders, auditors and the school's administrators may"
            )

    def reach(self, account: Account) -> frozenset[Scope]:
        return frozenset() if account.disabled else scopes(account.roles, "account_for_class")

    def may_report(self, account: Account, planned: PlannedClass) -> bool:
        reach = self.reach(account)
        return Scope.ALL in reach or (Scope.OWN in reach and account.username in planned.teachers)

    def _class(self, plan: Plan, class_id: str, account: Account, ref: str) -> PlannedClass:
        planned = plan.classes.get(class_id)
        if planned is None or not (
            self.may_report(account, planned) or self._may_view_plan(account, ref)
        ):
            if planned is not None and self.reach(account):
                raise Forbidden(
                    f"{account.username} may not account for {planned.title}: a teacher accounts "
                    "for their own class; a crisis lead may for any"
                )
            raise NotFound(
                f"no class {class_id!r} is being accounted for in {ref}: the classes in session "
                "when it was opened are"
            )
        return planned

    def _may_view_plan(self, account: Account, ref: str) -> bool:
        return self.may_view(account, self.incident(ref))

    # -- a teacher's class ------------------------------------------------------------------

    def my_classes(self, ref: str, account: Account) -> list[PlannedClass]:
        """The classes this person accounts for: those they teach (a crisis lead: every one)."""
        incident = self.incident(ref)
        reach = self.reach(account)
        if not reach:
            raise Forbidden(f"{account.username} accounts for no class")
        plan = self.lists.plan(incident)
        if Scope.ALL in reach:
            return sorted(plan.classes.values(), key=lambda c: (c.school_name, c.title))
        return plan.classes_taught_by(account.username)

    def sheet(self, ref: str, class_id: str, account: Account) -> ClassSheet:
        incident = self.incident(ref)
        plan = self.lists.plan(incident)
        planned = self._class(plan, class_id, account, incident.reference)
        return self._sheet(incident, plan, planned, self.log.classes(incident.id).get(class_id))

    def _sheet(
        self,
        incident: Incident,
        plan: Plan,
        planned: PlannedClass,
        report: ClassAccount | None,
    ) -> ClassSheet:
        marks = report.marks if report else {}
        students = {s.person_ref: s for s in self.lists.students(planned, plan.opened_at)}
        lines = [_line(s, marks.get(ref), False) for ref, s in students.items()]
        extras = [m for r, m in marks.items() if r not in students]
        if extras:
            directory = {s.person_ref: s for s in self.lists.directory(planned.school)}
            for mark in extras:
                found = directory.get(mark.person_ref)
                lines.append(_line(found or _nameless(mark.person_ref), mark, True))
        return ClassSheet(
            incident=incident.reference,
            class_id=planned.class_id,
            title=planned.title,
            school=planned.school,
            school_name=planned.school_name,
            room=planned.room,
            location=report.location if report else planned.room,
            teachers=planned.teachers,
            students=tuple(lines),
            counts=count(list(planned.students), marks),
            first_reported=report.first_reported if report else None,
            last_reported=report.last_reported if report else None,
        )

    def search(self, ref: str, class_id: str, account: Account, name: str) -> list[RosterStudent]:
        """Students of the class's school whose name holds these words, not on its list: the
        extra students a teacher may add."""
        incident = self.incident(ref)
        plan = self.lists.plan(incident)
        planned = self._class(plan, class_id, account, incident.reference)
        if not self.may_report(account, planned):
            raise Forbidden(f"{account.username} may not account for {planned.title}")
        words = check_text("name", name, limit=MAX_TITLE).casefold().split()
        found = [
            s
            for s in self.lists.directory(planned.school)
            if s.person_ref not in planned.students and all(w in s.name.casefold() for w in words)
        ]
        return found[:20]

    def report(
        self,
        ref: str,
        class_id: str,
        account: Account,
        *,
        marks: Iterable[GivenMark],
        location: str | None = None,
        actor: Actor,
        at: datetime | None = None,
    ) -> ClassSheet:
        """Records a class's report: each student's status (marked again: the last counts),
        extra students from the school, and where the class is."""
        incident = self._open(ref)
        plan = self.lists.plan(incident)
        planned = self._class(plan, class_id, account, incident.reference)
        if not self.may_report(account, planned):
            raise Forbidden(
                f"{account.username} may not account for {planned.title}: a teacher accounts for "
                "their own class; a crisis lead may for any"
            )
        given = list(marks)
        school_students = plan.school_students.get(planned.school, frozenset())
        checked = []
        for number, mark in enumerate(given, start=1):
            if mark.student not in planned.students and mark.student not in school_students:
                raise DomainError(
                    f"mark {number}: no student {mark.student!r} is on {planned.title}'s list or "
                    f"at {planned.school_name}: give a student's pseudonym from the class list, "
                    "or find an extra student by name"
                )
            try:
                status, adult, seen = check_mark(mark.status, mark.with_adult, mark.last_seen)
            except DomainError as error:
                raise DomainError(f"mark {number} ({mark.student}): {error}") from None
            checked.append((mark.student, status, adult, seen))
        where = None
        if location is not None and location.strip():
            where = check_text("location", location, limit=MAX_TITLE)
        if not checked and where is None:
            raise DomainError(
                "the report holds nothing: mark at least one student, or say where the class is"
            )
        moment = at or self.steady.clock()

        def attempt() -> ClassAccount:
            stream = class_account_id(incident.id, planned.class_id)
            try:
                report = self.steady.repository.get(stream)
            except AggregateNotFoundError:
                report = ClassAccount.start(
                    incident_id=incident.id,
                    class_id=planned.class_id,
                    school=planned.school,
                    location=planned.room,
                    actor=actor,
                    at=moment,
                )
            for student, status, adult, seen in checked:
                report.mark(
                    student,
                    status,
                    actor=actor,
                    at=moment,
                    with_adult=adult,
                    last_seen=seen,
                    extra=student not in planned.students,
                )
            if where is not None:
                report.move_to(where, actor=actor, at=moment)
            self.steady.save(report)
            return report

        saved = retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return self._sheet(incident, plan, planned, saved)

    # -- staff -------------------------------------------------------------------------------

    def me(self, ref: str, account: Account) -> StaffLine | None:
        """The person's own report of themselves, if they are staff of the incident's schools."""
        incident = self.incident(ref)
        plan = self.lists.plan(incident)
        member = plan.staff_with_account(account.username)
        if member is None:
            return None
        return self._staff_line(plan, member.person_ref, self.log.staff(incident.id))

    def report_self(
        self,
        ref: str,
        account: Account,
        *,
        status: object,
        where: object = "",
        person: str | None = None,
        actor: Actor,
        at: datetime | None = None,
    ) -> StaffLine:
        """A staff member says they are safe, injured or off site (and where); a crisis lead
        may say it of any staff member (`person`, their pseudonym)."""
        incident = self._open(ref)
        plan = self.lists.plan(incident)
        reach = self.reach(account)
        if person:
            member = plan.staff.get(person.strip())
            if member is None:
                raise NotFound(
                    f"no staff member {person!r} at {', '.join(plan.schools.values())}: give a "
                    "staff member's pseudonym from the roster"
                )
            mine = member.account == account.username
            if not (Scope.ALL in reach or (Scope.OWN in reach and mine)):
                raise Forbidden(
                    f"{account.username} may account only for themselves; a crisis lead may for "
                    "any staff member"
                )
        else:
            member = plan.staff_with_account(account.username)
            if member is None or (Scope.OWN not in reach and Scope.ALL not in reach):
                raise NotFound(
                    f"{account.username} is not staff of {', '.join(plan.schools.values())} on "
                    "the roster: only the schools' staff account for themselves"
                )
        moment = at or self.steady.clock()
        school = plan.staff_school.get(member.person_ref, "")

        def attempt() -> StaffAccount:
            stream = staff_account_id(incident.id, member.person_ref)
            try:
                report = self.steady.repository.get(stream)
            except AggregateNotFoundError:
                report = StaffAccount.start(
                    incident_id=incident.id,
                    person_ref=member.person_ref,
                    school=school,
                    actor=actor,
                    at=moment,
                )
            report.report(status, where, actor=actor, at=moment)
            self.steady.save(report)
            return report

        saved = retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return self._staff_line(plan, member.person_ref, {member.person_ref: saved})

    def _staff_line(
        self, plan: Plan, person_ref: str, reports: dict[str, StaffAccount]
    ) -> StaffLine:
        member = plan.staff[person_ref]
        report = reports.get(person_ref)
        return StaffLine(
            person_ref=person_ref,
            name=member.name,
            role=member.role,
            account=member.account,
            school=plan.school_names_of(person_ref),
            status=report.status if report else UNKNOWN,
            where=report.where if report else "",
            reported_at=report.reported_at if report else None,
        )

    # -- the commander's view ---------------------------------------------------------------

    def command_view(self, ref: str, account: Account) -> CommandView:
        incident = self.incident(ref)
        self._require_view(account, incident)
        return self._picture(incident)

    def _picture(self, incident: Incident) -> CommandView:
        plan = self.lists.plan(incident)
        reports = self.log.classes(incident.id)
        staff_reports = self.log.staff(incident.id)
        classes = []
        best: dict[str, tuple[int, Mark]] = {}  # student -> the best word on them
        by_location: dict[str, dict[str, Counts]] = defaultdict(dict)
        expected_by_school: dict[str, set[str]] = defaultdict(set)
        first_known: dict[str, datetime] = {}
        for planned in sorted(plan.classes.values(), key=lambda c: (c.school_name, c.title)):
            report = reports.get(planned.class_id)
            marks = report.marks if report else {}
            counts = count(list(planned.students), marks)
            location = report.location if report else planned.room
            here = by_location[planned.school]
            here[location] = here.get(location, Counts()) + counts
            expected_by_school[planned.school].update(planned.students)
            classes.append(
                ClassReport(
                    planned.class_id,
                    planned.title,
                    planned.school_name,
                    planned.teachers,
                    location,
                    counts,
                    report.first_reported if report else None,
                )
            )
            for student, mark in marks.items():
                rank = PRECEDENCE.index(mark.status)
                if student not in best or rank < best[student][0]:
                    best[student] = (rank, mark)
                known = report.first_marked.get(student, mark.at) if report else mark.at
                first_known[student] = min(first_known.get(student, known), known)
        titles = {c.class_id: c.title for c in plan.classes.values()}
        mark_class = {
            student: class_id for class_id, report in reports.items() for student in report.marks
        }
        schools = []
        total = Counts()
        for slug, name in plan.schools.items():
            expected = expected_by_school[slug] | {
                s for s in best if s in plan.school_students.get(slug, frozenset())
            }
            tally = dict.fromkeys([*STATUSES, UNKNOWN], 0)
            for student in expected:
                tally[best[student][1].status if student in best else UNKNOWN] += 1
            counts = Counts(
                tally["accounted"],
                tally["missing"],
                tally["injured"],
                tally["absent"],
                tally["with-adult"],
                tally[UNKNOWN],
            )
            total = total + counts
            here_classes = [c for c in plan.classes.values() if c.school == slug]
            staff_here = [s for s in plan.staff if plan.staff_school.get(s) == slug]
            schools.append(
                SchoolCounts(
                    slug,
                    name,
                    counts,
                    dict(sorted(by_location[slug].items())),
                    len(here_classes),
                    sum(1 for c in here_classes if c.class_id in reports),
                    len(staff_here),
                    sum(1 for s in staff_here if s in staff_reports),
                )
            )
        missing = []
        for student, (_, mark) in best.items():
            if mark.status != "missing":
                continue
            class_id = mark_class.get(student, "")
            planned = plan.classes.get(class_id)
            names = (
                {s.person_ref: s.name for s in self.lists.students(planned, plan.opened_at)}
                if planned
                else {}
            )
            missing.append(
                MissingStudent(
                    student,
                    names.get(student, ""),
                    planned.school_name if planned else "",
                    titles.get(class_id, ""),
                    mark.last_seen,
                    mark.at,
                    mark.by,
                )
            )
        lines = [self._staff_line(plan, s, staff_reports) for s in plan.staff]
        not_accounted = tuple(s for s in lines if s.status == UNKNOWN)
        injured = tuple(s for s in lines if s.status == "injured")
        everyone_at = None
        if total.unknown == 0 and not not_accounted and all(c.reported for c in classes):
            moments = [*first_known.values(), *(s.reported_at for s in lines if s.reported_at)]
            moments += [
                r.first_reported for r in staff_reports.values() if r.first_reported is not None
            ]
            everyone_at = max(moments) if moments else plan.opened_at
        return CommandView(
            incident=incident.reference,
            kind=incident.kind,
            opened_at=plan.opened_at,
            counts=total,
            schools=tuple(schools),
            classes=tuple(classes),
            missing=tuple(sorted(missing, key=lambda m: m.marked_at)),
            staff_not_accounted=not_accounted,
            staff_injured=injured,
            everyone_accounted_for_at=everyone_at,
        )

    # -- for drills --------------------------------------------------------------------------

    def everyone_accounted_for_at(self, ref: str) -> datetime | None:
        """When the last student and staff member was first reported, every class having
        reported and no one left unknown; None while someone is. No permission is checked: the
        caller shows it only to whom it may."""
        return self._picture(self.incident(ref)).everyone_accounted_for_at

    def classes_first_reported(self, ref: str) -> list[tuple[str, str, datetime | None]]:
        """Each class (its id and title) with when it first reported (None: not yet), latest
        first: the classes that reported late head the list."""
        picture = self._picture(self.incident(ref))
        rows = [(c.class_id, c.title, c.first_reported) for c in picture.classes]
        late = sorted((r for r in rows if r[2] is not None), key=lambda r: r[2], reverse=True)
        return [*(r for r in rows if r[2] is None), *late]


def _line(student: RosterStudent, mark: Mark | None, extra: bool) -> StudentLine:
    return StudentLine(
        person_ref=student.person_ref,
        name=student.name,
        grade=student.grade,
        status=mark.status if mark else UNKNOWN,
        with_adult=mark.with_adult if mark else "",
        last_seen=mark.last_seen if mark else "",
        extra=extra,
        custody_alert=student.custody_alert,
        marked_at=mark.at if mark else None,
        marked_by=mark.by if mark else "",
    )


def _nameless(person_ref: str) -> RosterStudent:
    return RosterStudent(person_ref, "", "", False)
