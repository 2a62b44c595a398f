"""Reading a OneRoster 1.1 CSV export: every problem named by file, line and field; a bad
export refused whole."""

from pathlib import Path

import pytest

from service.rosters.files import read_directory
from service.rosters.oneroster import RosterRefused, parse_roster

DEMO = Path(__file__).parents[2] / "service" / "demo" / "roster"
SCHOOLS = {
    "roosevelt high school": "roosevelt-high-school",
    "lincoln elementary": "lincoln-elementary",
}


def school_for(name: str, identifier: str) -> str | None:
    return SCHOOLS.get(name.casefold())


def demo_files() -> dict[str, str]:
    return read_directory(DEMO)


def problems_of(files: dict[str, str]) -> list[str]:
    with pytest.raises(RosterRefused) as refused:
        parse_roster(files, school_for)
    return [str(p) for p in refused.value.problems]


def replace_line(text: str, number: int, old: str, new: str) -> str:
    lines = text.split("\n")
    assert old in lines[number - 1]
    lines[number - 1] = lines[number - 1].replace(old, new, 1)
    return "\n".join(lines)


def test_the_demo_export_reads_whole():
    parsed = parse_roster(demo_files(), school_for)
    assert len([c for c in parsed.classes.values() if c.school == "roosevelt-high-school"]) == 40
    assert sum(u.custody_alert for u in parsed.users.values()) == 1
    assert all(parsed.guardians.get(s) for s, u in parsed.users.items() if u.role == "student")


def test_an_enrollment_of_an_unknown_user_names_file_line_and_field():
    files = demo_files()
    files["enrollments.csv"] = replace_line(files["enrollments.csv"], 14, "s-rhs-2,", "u-999,")
    assert problems_of(files) == [
        "enrollments.csv line 14, userSourcedId: no user u-999 in users.csv"
    ]


def test_every_problem_is_reported_at_once():
    files = demo_files()
    files["users.csv"] = replace_line(files["users.csv"], 2, ",teacher,", ",janitor,")
    files["classes.csv"] = replace_line(files["classes.csv"], 3, "as-2627", "as-1999")
    files["academicSessions.csv"] = replace_line(
        files["academicSessions.csv"], 2, "2027-06-04", "June 4th"
    )
    files["orgs.csv"] = replace_line(
        files["orgs.csv"], 4, "Lincoln Elementary", "Nowhere Elementary"
    )
    found = problems_of(files)
    assert (
        "users.csv line 2, role: 'janitor' is not one of student, teacher, administrator, "
        "aide, guardian, parent, relative" in found
    )
    assert "classes.csv line 3, termSourcedIds: no session as-1999 in academicSessions.csv" in found
    assert (
        "academicSessions.csv line 2, endDate: 'June 4th' is not a date: write it as YYYY-MM-DD"
        in found
    )
    assert any(
        p.startswith("orgs.csv line 4, name: no school 'Nowhere Elementary' in Steady")
        for p in found
    )


def test_a_missing_file_and_a_missing_column_are_named():
    files = demo_files()
    del files["academicSessions.csv"]
    assert problems_of(files) == [
        "academicSessions.csv: missing: the export needs it (OneRoster 1.1 CSV)"
    ]
    files = demo_files()
    files["users.csv"] = files["users.csv"].replace("givenName", "firstName", 1)
    assert problems_of(files) == [
        "users.csv line 1, givenName: the header has no such column: add it (OneRoster 1.1)"
    ]


def test_bad_grades_custody_flags_dates_and_duplicates_are_refused():
    files = demo_files()
    users = files["users.csv"].split("\n")
    student = next(i for i, line in enumerate(users) if ",student," in line) + 1
    users[student - 1] = users[student - 1].replace(",09,", ",13,")
    files["users.csv"] = "\n".join(users)
    files["enrollments.csv"] = replace_line(files["enrollments.csv"], 3, ",false,", ",maybe,")
    files["demographics.csv"] += files["demographics.csv"].split("\n")[1] + "\n"
    found = problems_of(files)
    assert (
        f"users.csv line {student}, grades: '13' is not a grade: give KG, PK or 01 to 12" in found
    )
    assert "enrollments.csv line 3, primary: 'maybe' is not true or false" in found
    assert any(
        p.startswith("demographics.csv line 66, sourcedId: s-rhs-1 is also on line 2")
        for p in found
    )


def test_a_guardian_without_any_contact_is_refused():
    files = demo_files()
    files["users.csv"] = files["users.csv"].replace(
        "g-1,,,true,,guardian,,,", "g-1,,,true,,guardian,,,", 1
    )
    lines = files["users.csv"].split("\n")
    number = next(i for i, line in enumerate(lines) if line.startswith("g-2,")) + 1
    fields = lines[number - 1].split(",")
    fields[12] = fields[14] = ""  # email, phone
    lines[number - 1] = ",".join(fields)
    files["users.csv"] = "\n".join(lines)
    assert problems_of(files) == [
        f"users.csv line {number}, phone: guardian g-2 of student s-rhs-2 has no phone, sms or "
        "email: give one, so that they can be reached in a reunification"
    ]


def test_tobedeleted_rows_leave_and_a_custody_alert_is_read():
    files = demo_files()
    files["users.csv"] = files["users.csv"].replace("\ns-rhs-3,,", "\ns-rhs-3,tobedeleted,", 1)
    parsed = parse_roster(files, school_for)
    assert "s-rhs-3" not in parsed.users
    assert not any(e.user_id == "s-rhs-3" for e in parsed.enrollments.values())
    assert [u.sourced_id for u in parsed.users.values() if u.custody_alert] == ["s-rhs-7"]
