"""A year in one test: a student's death in October, 12 students and 3 staff triaged, a school
calendar with winter and spring breaks. On every morning of the year that follows, the counselor's
due list and the digest that reaches a real SMTP server both say exactly what the plans say is due
or overdue; on a day without school no digest comes; the counselor records each check-in on its
day (one student's are missed for a while, and stay overdue until recorded); the birthday and the
anniversary land on the school days the calendar gives."""

import asyncio
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.identity import Identity
from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import Parts, assemble, open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from tests.builders import FAST_HASHER
from tests.outbox_smtp import SmtpServer

ZONE = ZoneInfo("America/Chicago")
LEAD = Actor("m.alvarez", "crisis-lead")
ADMIN = Actor("admin", "admin")
COUNSELOR = "k.okafor"
INBOX = f"{COUNSELOR}@riverside.example"
SCHOOL = "Roosevelt High School"

# 2026-27 with a Thanksgiving break, a winter break and a spring break; the next school year
# starts on 16 August 2027 and has a fall break on 7 and 8 October 2027.
CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Riverside USD//Calendar//EN
X-WR-CALNAME:Riverside USD 2026-27
{events}END:VCALENDAR
"""
DAYS = [
    ("20260817", "20260818", "First day of school", "School day"),
    ("20261125", "20261128", "Thanksgiving break", "Break"),
    ("20261221", "20270102", "Winter break", "Break"),
    ("20270118", "20270119", "Martin Luther King Jr. Day", "Holiday"),
    ("20270322", "20270327", "Spring break", "Break"),
    ("20270528", "20270529", "Last day of school", "School day"),
    ("20270816", "20270817", "First day of school", "School day"),
    ("20271007", "20271009", "Fall break", "Break"),
]


def calendar_text() -> str:
    events = "".join(
        f"BEGIN:VEVENT\nUID:year-{n}@riverside.example\nDTSTAMP:20260701T000000Z\n"
        f"DTSTART;VALUE=DATE:{start}\nDTEND;VALUE=DATE:{end}\nSUMMARY:{summary}\n"
        f"CATEGORIES:{category}\nEND:VEVENT\n"
        for n, (start, end, summary, category) in enumerate(DAYS)
    )
    return CALENDAR.format(events=events)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


DEATH = date(2026, 10, 8)  # a Thursday evening
TRIAGED = date(2026, 10, 9)  # the Friday morning after
LAST_MORNING = date(2027, 10, 15)
MISSED_FROM, MISSED_UNTIL = date(2026, 11, 2), date(2026, 11, 9)  # one student not reached


@pytest.fixture
def year(tmp_path, request) -> Iterator[tuple[Parts, Clock, SmtpServer]]:
    smtp = SmtpServer()
    smtp.start()
    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'year.db'}",
        smtp_url=smtp.url,
        mail_from="steady@riverside.example",
        public_url="https://steady.riverside.example",
    )
    clock = Clock(local(DEATH, 19))
    steady = open_steady(settings, clock=clock)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    parts = assemble(steady, settings, accounts=accounts)
    yield parts, clock, smtp
    steady.close()
    smtp.stop()


def check_in_lines(body: str) -> set[tuple[str, str]]:
    """(person, label) of each follow-up check-in a digest lists."""
    found = set()
    for line in body.splitlines():
        match = re.match(r"^  INC-\d{4}-\d{4} (P-\d{4,}) (.+) \(due ", line)
        if match:
            found.add((match.group(1), match.group(2)))
    return found


def test_a_year_of_recovery_after_a_students_death(year):
    parts, clock, smtp = year
    steady, people, follow_ups = parts.steady, parts.people, parts.follow_ups
    parts.calendars.import_text(calendar_text(), actor=ADMIN)
    calendar = parts.calendars.calendar_for([SCHOOL])

    ref = steady.open_incident(
        title="Death of a student",
        kind="death",
        severity=3,
        schools=[SCHOOL],
        occurred_at=local(DEATH, 18),
        actor=LEAD,
    ).reference
    steady.apply_playbook(ref, "death-of-student-or-staff", actor=LEAD)

    clock.now = local(TRIAGED, 9)
    students = [(3, [])] * 2 + [(2, ["panic"])] + [(2, [])] * 4 + [(1, [])] * 5
    staff = [(2, []), (1, []), (1, [])]
    tiers: dict[str, int] = {}
    for n, (tier, signs) in enumerate(students + staff):
        kind = "student" if n < len(students) else "staff"
        identity = Identity(
            name=f"Test Person {n}",
            person_id=f"YEAR-{n:03}",
            # The first student's birthday falls in the spring break.
            date_of_birth=date(2010, 3, 23) if n == 0 else None,
        )
        person, _ = people.record_person(
            ref,
            kind=kind,
            school=SCHOOL,
            grade="10" if kind == "student" else "",
            how_affected="in the victim's class" if kind == "student" else "the victim's teacher",
            identity=identity,
            actor=LEAD,
        )
        triage = people.triage(
            person,
            ref,
            factors=["emotional_proximity"],
            warning_signs=signs,
            tier=tier,
            reason="knew them well",
            counselor=COUNSELOR,
            actor=LEAD,
        )
        tiers[person] = int(triage.tier)
    assert sorted(tiers.values()).count(3) == 3  # the warning sign raised one to tier 3
    first_student, missed_student = sorted(tiers)[0], sorted(tiers)[1]

    plans = {person: follow_ups.follow_ups(person, ref) for person in tiers}
    planned = {(person, c.id): c for person, plan in plans.items() for c in plan.check_ins.values()}
    # Every check-in of every plan falls on a school day of the calendar.
    assert planned and all(
        calendar.is_school_day(c.due.astimezone(ZONE).date()) for c in planned.values()
    )
    intensive = plans[first_student]
    by_label = {c.label: c.due.astimezone(ZONE).date() for c in intensive.check_ins.values()}
    assert by_label["First check-in"] == date(2026, 10, 12)  # one school day after Friday
    # The 23rd of March is in the spring break: the nearest school day is the Friday before.
    assert [d for label, d in by_label.items() if "irthday" in label] == [date(2027, 3, 19)]
    # 8 October 2027 is in the fall break; Wednesday the 6th is nearer than Monday the 11th.
    assert [d for label, d in by_label.items() if "nniversary" in label] == [date(2027, 10, 6)]
    assert date(2027, 8, 16) in by_label.values()  # the first day of the next school year

    recorded: set[tuple[str, str]] = set()
    day = TRIAGED + timedelta(days=1)
    mornings = 0
    while day <= LAST_MORNING:
        morning = local(day, 7, 5)
        clock.now = morning
        before = len(smtp.inbox.received)
        asyncio.run(parts.reminders.run_once(morning))
        arrived = [
            m
            for m in smtp.inbox.received[before:]
            if m["To"] == INBOX and str(m["Subject"]).startswith("Steady:")
        ]

        # What the plans say is open and due by today (or overdue), this morning.
        expected = {
            (person, c.label)
            for (person, check_in_id), c in planned.items()
            if (person, check_in_id) not in recorded and c.due.astimezone(ZONE).date() <= day
        }
        due_list = {
            (c.person_ref, c.label)
            for c in parts.follow_ups_due.for_owner(COUNSELOR, morning)
            if c.due.astimezone(ZONE).date() <= day
        }
        assert due_list == expected, day
        if not calendar.is_school_day(day):
            assert arrived == [], f"a digest on {day}, a day without school"
        else:
            # Open tasks of the counselor's may bring a digest on other mornings too; it then
            # lists no check-in.
            assert len(arrived) == (1 if expected else len(arrived) and 1), day
            for digest in arrived:
                body = digest.get_content()
                assert check_in_lines(body) == expected, day
                assert "Test Person" not in body and "YEAR-" not in body
                overdue = {
                    (person, c.label)
                    for (person, check_in_id), c in planned.items()
                    if (person, check_in_id) not in recorded and c.due < morning
                }
                assert overdue == check_in_lines(body.split("Due today:")[0]), day
            mornings += bool(expected)

        # Through the school day the counselor records what is due, but for one student who
        # cannot be reached for a week: theirs stay overdue until the day they are seen.
        if calendar.is_school_day(day):
            clock.now = local(day, 10)
            for (person, check_in_id), c in sorted(planned.items()):
                if (person, check_in_id) in recorded or c.due.astimezone(ZONE).date() > day:
                    continue
                if person == missed_student and MISSED_FROM <= day < MISSED_UNTIL:
                    continue
                follow_ups.record_check_in(
                    person,
                    ref,
                    check_in_id,
                    outcome="seen_no_concern",
                    by=parts.accounts.account(COUNSELOR),
                    actor=Actor(COUNSELOR, "responder"),
                )
                recorded.add((person, check_in_id))
        day += timedelta(days=1)

    assert recorded == set(planned)  # by the last morning every check-in was recorded
    assert mornings >= 15  # a digest each morning something fell due
    # No two digests on one day, and none on a day without school.
    days_sent = [m["Subject"].split("(")[-1] for m in smtp.inbox.to(INBOX, "Steady:")]
    assert len(days_sent) == len(set(days_sent))
