"""School calendars on real SQLite and PostgreSQL stores: importing the district's and a
school's, due dates counted on them when a playbook is applied, the dates still ahead moved by
a new import (each move an event, by who imported), and the first day of the next school year."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.people import Actor
from domain.school_calendar import CalendarInvalid
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.calendars.service import Calendars
from service.config import Settings
from service.demo.calendar import DEMO_CALENDAR
from service.incidents.application import Steady
from tests.integration.test_school_due_dates import playbook, step

CHICAGO = ZoneInfo("America/Chicago")
LEAD = Actor("m.alvarez", "crisis-lead")
ADMIN = Actor("admin", "admin")
# A Thursday before winter break (Dec 21 to Jan 1 on the demo calendar).
THURSDAY = datetime(2026, 12, 17, 10, 0, tzinfo=CHICAGO)
MONDAY = datetime(2026, 12, 21, 12, 0, tzinfo=CHICAGO)
RECOVERY = playbook(
    "winter-test",
    "",
    step("check-in", "2 school days")  # Mon Dec 21 10:00: overdue by Monday noon
    + step("meeting", "3 school days")  # Tue Dec 22 on weekdays, still ahead on Monday
    + step("done-early", "4 school days")
    + step("moved-by-hand", "5 school days", "all-staff")
    + step("visit", "7 days", "families-and-communities"),  # calendar days: never moved
)
NEXT_YEAR = playbook(
    "next-year-test",
    "",
    step("welcome-back", "first day of the next school year")
    + step("staff-check", "1 hour", "all-staff")
    + step("family-call", "1 hour", "families-and-communities"),
)
LINCOLN_BREAK = """BEGIN:VCALENDAR\r
VERSION:2.0\r
PRODID:-//Lincoln//EN\r
X-WR-CALNAME:Lincoln Elementary 2026-27 calendar\r
BEGIN:VEVENT\r
UID:l1\r
DTSTAMP:20260601T000000Z\r
DTSTART;VALUE=DATE:20261218\r
DTEND;VALUE=DATE:20270109\r
SUMMARY:Winter break\r
END:VEVENT\r
END:VCALENDAR\r
"""


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(THURSDAY)


@pytest.fixture
def steady(tmp_path: Path, database_url: str, clock: Clock) -> Iterator[Steady]:
    library = tmp_path / "playbooks"
    library.mkdir()
    (library / "winter.toml").write_text(RECOVERY)
    (library / "next-year.toml").write_text(NEXT_YEAR)
    settings = Settings(database_url=database_url, playbooks_dir=library)
    app = open_steady(settings, clock=clock)
    accounts = Accounts(app)
    accounts.add_organisation("lincoln-elementary", "Lincoln Elementary", "school", actor=ADMIN)
    accounts.add_organisation("roosevelt-high", "Roosevelt High School", "school", actor=ADMIN)
    yield app
    app.close()


def open_at(app: Steady, school: str, playbook_id: str = "winter-test") -> str:
    ref = app.open_incident(
        title="Death of a student",
        kind="death",
        severity=2,
        schools=[school],
        occurred_at=THURSDAY,
        actor=LEAD,
        at=THURSDAY,
    ).reference
    app.apply_playbook(ref, playbook_id, actor=LEAD, at=THURSDAY)
    return ref


def due(app: Steady, ref: str) -> dict[str, str]:
    return {
        t.step_id: t.due_at.astimezone(CHICAGO).strftime("%Y-%m-%d %H:%M")
        for t in app.incident(ref).tasks.values()
        if t.due_at
    }


def task_of(app: Steady, ref: str, step_id: str) -> str:
    return next(t.id for t in app.incident(ref).tasks.values() if t.step_id == step_id)


def test_an_import_moves_the_school_day_due_dates_still_ahead(steady: Steady, clock: Clock):
    ref = open_at(steady, "Lincoln Elementary")
    before = due(steady, ref)
    assert before["meeting"] == "2026-12-22 10:00"  # Monday to Friday: inside the break
    steady.change_task_status(ref, task_of(steady, ref, "done-early"), "done", actor=LEAD)
    by_hand = datetime(2026, 12, 28, 12, 0, tzinfo=CHICAGO)
    steady.reschedule_task(
        ref, task_of(steady, ref, "moved-by-hand"), by_hand, reason="After the funeral", actor=LEAD
    )
    clock.now = MONDAY
    version = steady.incident(ref).version

    calendars = Calendars(steady)
    done = calendars.import_text(
        DEMO_CALENDAR.read_text(encoding="utf-8"), source="calendar.ics", actor=ADMIN
    )

    after = due(steady, ref)
    assert after["meeting"] == "2027-01-05 10:00"  # counted across the break
    assert before["check-in"] == "2026-12-21 10:00"
    assert after["check-in"] == before["check-in"]  # overdue: stays, though the break has it
    assert after["done-early"] == before["done-early"]  # done: stays
    assert after["moved-by-hand"] == "2026-12-28 12:00"  # the lead's own date stands
    assert after["visit"] == before["visit"]  # calendar days
    assert done.moved == {ref: {task_of(steady, ref, "meeting"): "2027-01-05T16:00:00+00:00"}}
    # The move is an event, by the admin who imported, saying why.
    events = steady.incident_events(ref, after_version=version)
    assert [e.type for e in events] == [Incident.TaskRescheduled.NAME]
    (event,) = events
    assert event.actor["user"] == "admin"
    task = steady.incident(ref).tasks[task_of(steady, ref, "meeting")]
    assert task.reschedule_reason == (
        "the school calendar changed: due dates now count school days on "
        "Riverside USD 2026-27 calendar"
    )
    assert calendars.calendar_for(["Lincoln Elementary"]).description == (
        "Riverside USD 2026-27 calendar"
    )
    # Importing the same calendar again records the import and moves nothing more.
    again = calendars.import_text(DEMO_CALENDAR.read_text(encoding="utf-8"), actor=ADMIN)
    assert again.moved == {}
    assert calendars.show()["imports"] == 2


def test_a_schools_own_calendar_moves_only_its_incidents(steady: Steady, clock: Clock):
    calendars = Calendars(steady)
    calendars.import_text(DEMO_CALENDAR.read_text(encoding="utf-8"), actor=ADMIN)
    lincoln = open_at(steady, "Lincoln Elementary")
    roosevelt = open_at(steady, "Roosevelt High School")
    assert due(steady, lincoln)["meeting"] == due(steady, roosevelt)["meeting"]
    assert due(steady, lincoln)["meeting"] == "2027-01-05 10:00"

    done = calendars.import_text(LINCOLN_BREAK, school="lincoln-elementary", actor=ADMIN)

    # Lincoln's break runs Dec 18 to Jan 8; the day after it counts from its own calendar.
    assert due(steady, lincoln)["meeting"] == "2027-01-13 10:00"
    assert due(steady, roosevelt)["meeting"] == "2027-01-05 10:00"
    assert set(done.moved) == {lincoln}
    assert calendars.show("lincoln-elementary")["description"] == (
        "Lincoln Elementary 2026-27 calendar"
    )
    assert calendars.show("roosevelt-high")["own"] is False


def test_the_first_day_of_the_next_school_year_needs_a_calendar_that_says(steady: Steady):
    ref = steady.open_incident(
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Lincoln Elementary"],
        occurred_at=THURSDAY,
        actor=LEAD,
        at=THURSDAY,
    ).reference
    with pytest.raises(DomainError, match="No school calendar is loaded"):
        steady.apply_playbook(ref, "next-year-test", actor=LEAD)
    assert steady.incident(ref).tasks == {}  # nothing laid out
    Calendars(steady).import_text(DEMO_CALENDAR.read_text(encoding="utf-8"), actor=ADMIN)
    steady.apply_playbook(ref, "next-year-test", actor=LEAD)
    assert due(steady, ref)["welcome-back"] == "2027-08-16 08:00"


def test_bad_imports_are_refused_and_record_nothing(steady: Steady):
    calendars = Calendars(steady)
    before = steady.last_position()
    with pytest.raises(CalendarInvalid, match="not an iCalendar file"):
        calendars.import_text("Thanksgiving, Nov 26", actor=ADMIN)
    with pytest.raises(NotFound, match="there is no school 'hillside'"):
        calendars.import_text(LINCOLN_BREAK, school="hillside", actor=ADMIN)
    with pytest.raises(CalendarInvalid, match="not an https address"):
        calendars.import_url("http://example.org/calendar.ics", actor=ADMIN)
    assert steady.last_position() == before


def test_an_import_from_an_address(steady: Steady):
    served = DEMO_CALENDAR.read_bytes()

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/calendar.ics":
            return httpx.Response(200, content=served, headers={"Content-Type": "text/calendar"})
        if request.url.path == "/huge.ics":
            return httpx.Response(200, content=b"BEGIN:VCALENDAR\r\n" + b"X" * 3_000_000)
        return httpx.Response(404)

    calendars = Calendars(steady, transport=httpx.MockTransport(answer))
    done = calendars.import_url("https://district.example/calendar.ics", actor=ADMIN)
    assert done.calendar.description == "Riverside USD 2026-27 calendar"
    assert calendars.show()["source"] == "https://district.example/calendar.ics"
    with pytest.raises(CalendarInvalid, match="answered 404"):
        calendars.import_url("https://district.example/missing.ics", actor=ADMIN)
    with pytest.raises(CalendarInvalid, match="sends more than 2 MB"):
        calendars.import_url("https://district.example/huge.ics", actor=ADMIN)
