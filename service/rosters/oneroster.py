"""Reading a OneRoster 1.1 CSV export (bulk) into plain records, checking every row first.

Files: orgs.csv, users.csv, classes.csv, enrollments.csv and academicSessions.csv are needed;
demographics.csv, courses.csv (accepted, not kept) and manifest.csv may be there; any other file
is listed as not read. Every problem is collected, each naming the file, line and field and what
to do, and `parse_roster` refuses the whole export if there is one (`RosterRefused`).

Steady's extensions, optional columns of users.csv (OneRoster allows `metadata.*` columns):
- `metadata.steady.custodyAlert` on a student's row: `true` means a custody alert, "do not
  release this student without a lead" (OneRoster has no custody field).
- `metadata.steady.language` on a student's row: the family's language, such as `es`.

A row whose status is `tobedeleted` is read as gone: its entry leaves the roster."""

import csv
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from domain.errors import DomainError
from domain.identity import MAX_FIELD, MAX_GUARDIANS
from domain.person_reference import GRADES
from domain.roster import PERSON_KINDS

REQUIRED_FILES = ("orgs.csv", "users.csv", "classes.csv", "enrollments.csv", "academicSessions.csv")
OPTIONAL_FILES = ("demographics.csv", "courses.csv", "manifest.csv")
CUSTODY_COLUMN = "metadata.steady.custodyAlert"
LANGUAGE_COLUMN = "metadata.steady.language"
COLUMNS: dict[str, tuple[str, ...]] = {
    "orgs.csv": ("sourcedId", "name", "type"),
    "users.csv": ("sourcedId", "role", "givenName", "familyName"),
    "classes.csv": ("sourcedId", "title", "schoolSourcedId", "termSourcedIds"),
    "enrollments.csv": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "academicSessions.csv": ("sourcedId", "title", "type", "startDate", "endDate"),
    "demographics.csv": ("sourcedId",),
    "courses.csv": ("sourcedId",),
}
ORG_TYPES = ("department", "school", "district", "local", "state", "national")
SESSION_TYPES = ("gradingPeriod", "semester", "schoolYear", "term")
CLASS_TYPES = ("homeroom", "scheduled")
ENROLLMENT_ROLES = ("student", "teacher", "aide", "administrator", "guardian")
GUARDIAN_ROLES = ("guardian", "parent", "relative")
RACE_FLAGS = (
    "americanIndianOrAlaskaNative",
    "asian",
    "blackOrAfricanAmerican",
    "nativeHawaiianOrOtherPacificIslander",
    "white",
    "demographicRaceTwoOrMoreRaces",
    "hispanicOrLatinoEthnicity",
)
SEXES = ("male", "female", "other", "unspecified")
# OneRoster writes grades as CEDS codes: KG, PK, 01 ... 12.
GRADE_CODES = {"KG": "K", "PK": "PK", **{f"{n:02d}": str(n) for n in range(1, 13)}}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file} line {self.line}" if self.line else self.file
        field = f", {self.field}" if self.field else ""
        return f"{where}{field}: {self.message}"

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "field": self.field, "message": self.message}


class RosterRefused(DomainError):
    """The export has problems: nothing of it is imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        shown = "; ".join(str(p) for p in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        super().__init__(f"the roster was not imported, {len(problems)} problem(s): {shown}{more}")


@dataclass(frozen=True)
class SchoolOrg:
    sourced_id: str
    school: str  # the Steady school's id (slug)


@dataclass(frozen=True)
class SessionRow:
    sourced_id: str
    title: str
    type: str
    start: date
    end: date


@dataclass(frozen=True)
class ClassRow:
    sourced_id: str
    title: str
    class_code: str
    class_type: str
    location: str
    school: str  # Steady school id
    terms: tuple[str, ...]
    periods: tuple[str, ...]


@dataclass(frozen=True)
class UserRow:
    sourced_id: str
    role: str
    username: str
    given_name: str
    middle_name: str
    family_name: str
    identifier: str
    email: str
    sms: str
    phone: str
    schools: tuple[str, ...]  # Steady school ids of the user's orgs that are schools
    agents: tuple[str, ...]
    grade: str  # Steady's grade (K, 1 ... 12) for a student
    language: str = ""
    custody_alert: bool = False

    @property
    def name(self) -> str:
        return " ".join(p for p in (self.given_name, self.family_name) if p)

    @property
    def contact(self) -> str:
        return ", ".join(dict.fromkeys(c for c in (self.phone, self.sms, self.email) if c))


@dataclass(frozen=True)
class EnrollmentRow:
    sourced_id: str
    class_id: str
    user_id: str
    role: str
    primary: bool
    begins: date | None
    ends: date | None


@dataclass(frozen=True)
class ParsedRoster:
    """An export that passed every check, active rows only."""

    sessions: dict[str, SessionRow] = field(default_factory=dict)
    classes: dict[str, ClassRow] = field(default_factory=dict)
    users: dict[str, UserRow] = field(default_factory=dict)
    enrollments: dict[str, EnrollmentRow] = field(default_factory=dict)
    demographics: dict[str, dict[str, object]] = field(default_factory=dict)
    guardians: dict[str, list[str]] = field(default_factory=dict)  # student -> guardian ids
    not_read: tuple[str, ...] = ()


Row = dict[str, str]


class _Checker:
    """Collects problems while rows are read, so that every one is reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.headers_missing = False

    def add(self, file: str, line: int, column: str, message: str) -> None:
        self.problems.append(Problem(file, line, column, message))

    def rows(self, name: str, text: str) -> list[tuple[int, Row]]:
        reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
        header = reader.fieldnames or []
        missing = [c for c in COLUMNS.get(name, ()) if c not in header]
        for column in missing:
            self.add(name, 1, column, "the header has no such column: add it (OneRoster 1.1)")
        if missing:
            self.headers_missing = True
            return []
        found: list[tuple[int, Row]] = []
        seen: dict[str, int] = {}
        for row in reader:
            line = reader.line_num
            values = {k: (v or "").strip() for k, v in row.items() if k is not None}
            sourced = values.get("sourcedId", "")
            if not sourced:
                self.add(name, line, "sourcedId", "empty: every row needs its sourcedId")
                continue
            if sourced in seen:
                self.add(name, line, "sourcedId", f"{sourced} is also on line {seen[sourced]}")
                continue
            seen[sourced] = line
            for column, value in values.items():
                if len(value) > MAX_FIELD:
                    self.add(name, line, column, f"{len(value)} characters: keep it to {MAX_FIELD}")
            found.append((line, values))
        return found

    def required(self, file: str, line: int, row: Row, column: str, what: str) -> str:
        value = row.get(column, "")
        if not value:
            self.add(file, line, column, f"empty: give {what}")
        return value

    def one_of(self, file: str, line: int, row: Row, column: str, allowed: tuple[str, ...]) -> str:
        value = row.get(column, "")
        if value not in allowed:
            self.add(file, line, column, f"{value!r} is not one of {', '.join(allowed)}")
        return value

    def day(self, file: str, line: int, row: Row, column: str, *, required: bool) -> date | None:
        value = row.get(column, "")
        if not value:
            if required:
                self.add(file, line, column, "empty: give a date written YYYY-MM-DD")
            return None
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            self.add(file, line, column, f"{value!r} is not a date: write it as YYYY-MM-DD")
            return None

    def flag(self, file: str, line: int, row: Row, column: str) -> bool:
        value = row.get(column, "").lower()
        if value not in ("", "true", "false"):
            self.add(file, line, column, f"{row[column]!r} is not true or false")
        return value == "true"


def _list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _active(row: Row) -> bool:
    return row.get("status", "").lower() != "tobedeleted"


def parse_roster(
    files: Mapping[str, str], school_for: Callable[[str, str], str | None]
) -> ParsedRoster:
    """Reads and checks the export (file name -> text). `school_for(name, identifier)` is the
    Steady school's id an org of type school is, or None when Steady has no such school."""
    check = _Checker()
    for name in REQUIRED_FILES:
        if name not in files:
            check.add(name, 0, "", "missing: the export needs it (OneRoster 1.1 CSV)")
    if check.problems:
        raise RosterRefused(check.problems)
    not_read = tuple(sorted(n for n in files if n not in (*REQUIRED_FILES, *OPTIONAL_FILES)))
    rows = {n: check.rows(n, files[n]) for n in COLUMNS if n in files}
    if check.headers_missing:  # what refers to a file without its columns would be noise
        raise RosterRefused(check.problems)

    orgs: dict[str, SchoolOrg | None] = {}
    for line, row in rows["orgs.csv"]:
        kind = check.one_of("orgs.csv", line, row, "type", ORG_TYPES)
        name = check.required("orgs.csv", line, row, "name", "the organisation's name")
        school = None
        if kind == "school" and name:
            school = school_for(name, row.get("identifier", ""))
            if school is None:
                check.add(
                    "orgs.csv",
                    line,
                    "name",
                    f"no school {name!r} in Steady: add it as a school organisation whose name "
                    "or id matches this name or the org's identifier",
                )
        orgs[row["sourcedId"]] = SchoolOrg(row["sourcedId"], school) if school else None

    sessions: dict[str, SessionRow] = {}
    session_rows = rows["academicSessions.csv"]
    session_ids = {row["sourcedId"] for _, row in session_rows}
    for line, row in session_rows:
        file = "academicSessions.csv"
        title = check.required(file, line, row, "title", "the session's title, such as 2026-27")
        kind = check.one_of(file, line, row, "type", SESSION_TYPES)
        start = check.day(file, line, row, "startDate", required=True)
        end = check.day(file, line, row, "endDate", required=True)
        if start and end and end < start:
            check.add(file, line, "endDate", f"{end} is before the startDate {start}")
        parent = row.get("parentSourcedId", "")
        if parent and parent not in session_ids:
            check.add(file, line, "parentSourcedId", f"no session {parent} in {file}")
        if start and end and _active(row):
            sessions[row["sourcedId"]] = SessionRow(row["sourcedId"], title, kind, start, end)

    course_ids = {row["sourcedId"] for _, row in rows.get("courses.csv", [])}
    classes: dict[str, ClassRow] = {}
    for line, row in rows["classes.csv"]:
        file = "classes.csv"
        title = check.required(file, line, row, "title", "the class's title")
        class_type = check.one_of(file, line, row, "classType", CLASS_TYPES)
        org = row["schoolSourcedId"]
        if org not in orgs:
            check.add(file, line, "schoolSourcedId", f"no org {org} in orgs.csv")
        elif orgs[org] is None:
            check.add(file, line, "schoolSourcedId", f"org {org} is not a school Steady knows")
        terms = _list(row["termSourcedIds"])
        if not terms:
            check.add(file, line, "termSourcedIds", "empty: give the class's academic session")
        for term in terms:
            if term not in session_ids:
                check.add(
                    file, line, "termSourcedIds", f"no session {term} in academicSessions.csv"
                )
        course = row.get("courseSourcedId", "")
        if course and course_ids and course not in course_ids:
            check.add(file, line, "courseSourcedId", f"no course {course} in courses.csv")
        school = orgs.get(org)
        if school is not None and _active(row):
            classes[row["sourcedId"]] = ClassRow(
                sourced_id=row["sourcedId"],
                title=title,
                class_code=row.get("classCode", ""),
                class_type=class_type,
                location=row.get("location", ""),
                school=school.school,
                terms=terms,
                periods=_list(row.get("periods", "")),
            )

    user_rows = rows["users.csv"]
    roles = {row["sourcedId"]: row.get("role", "") for _, row in user_rows}
    users: dict[str, UserRow] = {}
    guardians: dict[str, list[str]] = {}
    for line, row in user_rows:
        file = "users.csv"
        role = check.one_of(file, line, row, "role", tuple(PERSON_KINDS))
        given = check.required(file, line, row, "givenName", "the person's given name")
        family = check.required(file, line, row, "familyName", "the person's family name")
        schools: list[str] = []
        for org in _list(row.get("orgSourcedIds", "")):
            if org not in orgs:
                check.add(file, line, "orgSourcedIds", f"no org {org} in orgs.csv")
            elif (found := orgs[org]) is not None:
                schools.append(found.school)
        if role in PERSON_KINDS and role not in GUARDIAN_ROLES and not schools:
            check.add(file, line, "orgSourcedIds", "names no school: give the person's school")
        grade = ""
        if role == "student":
            code = (_list(row.get("grades", "")) or ("",))[0].upper()
            grade = GRADE_CODES.get(code, code if code in GRADES else "")
            if not grade:
                check.add(file, line, "grades", f"{code!r} is not a grade: give KG, PK or 01 to 12")
        agents = _list(row.get("agentSourcedIds", ""))
        for agent in agents:
            if agent not in roles:
                check.add(file, line, "agentSourcedIds", f"no user {agent} in users.csv")
            elif role == "student" and roles[agent] not in GUARDIAN_ROLES:
                check.add(
                    file,
                    line,
                    "agentSourcedIds",
                    f"{agent} is a {roles[agent]}: a student's agents are guardians, parents "
                    "or relatives",
                )
        custody = check.flag(file, line, row, CUSTODY_COLUMN)
        if custody and role != "student":
            check.add(file, line, CUSTODY_COLUMN, "a custody alert is for a student's row only")
        if not _active(row):
            continue
        users[row["sourcedId"]] = UserRow(
            sourced_id=row["sourcedId"],
            role=role,
            username=row.get("username", ""),
            given_name=given,
            middle_name=row.get("middleName", ""),
            family_name=family,
            identifier=row.get("identifier", ""),
            email=row.get("email", ""),
            sms=row.get("sms", ""),
            phone=row.get("phone", ""),
            schools=tuple(dict.fromkeys(schools)),
            agents=agents,
            grade=grade,
            language=row.get(LANGUAGE_COLUMN, ""),
            custody_alert=custody,
        )
    # A guardian's agents may name the student instead: the link is read both ways.
    lines = {row["sourcedId"]: line for line, row in user_rows}
    for user in users.values():
        for agent in user.agents:
            pair = (agent, user.sourced_id) if user.role in GUARDIAN_ROLES else None
            student, guardian = pair or (user.sourced_id, agent)
            if student in users and guardian in users and users[student].role == "student":
                linked = guardians.setdefault(student, [])
                if guardian not in linked:
                    linked.append(guardian)
    linked_guardians = {g for linked in guardians.values() for g in linked}
    named = {a for _, row in user_rows for a in _list(row.get("agentSourcedIds", ""))}
    for user in list(users.values()):
        if user.role not in GUARDIAN_ROLES or user.sourced_id in linked_guardians or user.schools:
            continue
        if user.sourced_id in named or user.agents:
            del users[user.sourced_id]  # their students left the roster: so do they
        else:
            check.add(
                "users.csv",
                lines[user.sourced_id],
                "agentSourcedIds",
                f"guardian {user.sourced_id} is linked to no student and names no school: "
                "link them to their student",
            )
    for student, linked in guardians.items():
        if len(linked) > MAX_GUARDIANS:
            check.add(
                "users.csv",
                lines[student],
                "agentSourcedIds",
                f"{len(linked)} guardians: Steady keeps at most {MAX_GUARDIANS} a student",
            )
        for guardian in linked:
            if not users[guardian].contact:
                check.add(
                    "users.csv",
                    lines[guardian],
                    "phone",
                    f"guardian {guardian} of student {student} has no phone, sms or email: "
                    "give one, so that they can be reached in a reunification",
                )

    enrollments: dict[str, EnrollmentRow] = {}
    class_ids = {r["sourcedId"]: r for _, r in rows["classes.csv"]}
    for line, row in rows["enrollments.csv"]:
        file = "enrollments.csv"
        class_id, user_id = row["classSourcedId"], row["userSourcedId"]
        if class_id not in class_ids:
            check.add(file, line, "classSourcedId", f"no class {class_id} in classes.csv")
        elif class_ids[class_id]["schoolSourcedId"] != row["schoolSourcedId"]:
            check.add(
                file,
                line,
                "schoolSourcedId",
                f"{row['schoolSourcedId']} is not the school of class {class_id} "
                f"({class_ids[class_id]['schoolSourcedId']} in classes.csv)",
            )
        if user_id not in roles:
            check.add(file, line, "userSourcedId", f"no user {user_id} in users.csv")
        role = check.one_of(file, line, row, "role", ENROLLMENT_ROLES)
        primary = check.flag(file, line, row, "primary")
        begins = check.day(file, line, row, "beginDate", required=False)
        ends = check.day(file, line, row, "endDate", required=False)
        if _active(row) and class_id in classes and user_id in users:
            enrollments[row["sourcedId"]] = EnrollmentRow(
                row["sourcedId"], class_id, user_id, role, primary, begins, ends
            )

    demographics: dict[str, dict[str, object]] = {}
    for line, row in rows.get("demographics.csv", []):
        file = "demographics.csv"
        user_id = row["sourcedId"]
        if user_id not in roles:
            check.add(file, line, "sourcedId", f"no user {user_id} in users.csv")
        born = check.day(file, line, row, "birthDate", required=False)
        sex = row.get("sex", "")
        if sex and sex not in SEXES:
            check.add(file, line, "sex", f"{sex!r} is not one of {', '.join(SEXES)}")
        flags = {name: check.flag(file, line, row, name) for name in RACE_FLAGS}
        if user_id in users and _active(row):
            demographics[user_id] = {
                "birthDate": born.isoformat() if born else None,
                "sex": sex,
                **flags,
            }

    if check.problems:
        raise RosterRefused(check.problems)
    return ParsedRoster(sessions, classes, users, enrollments, demographics, guardians, not_read)
