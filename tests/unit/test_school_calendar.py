"""School calendars read from iCalendar files: holidays, breaks, recurring days off with their
exceptions, school years and the summer between them, and due dates counted on them."""

from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.due_recount import recounted_due
from domain.errors import DomainError
from domain.milestones import RecordedMilestone
from domain.people import Actor
from domain.phase import Phase
from domain.schedule import Offset
from domain.school_calendar import AnyOpen, CalendarInvalid
from domain.school_days import WEEKDAYS, SchoolClock
from domain.task import Task
from service.calendars.ics import read_calendar

CHICAGO = ZoneInfo("America/Chicago")
LEAD_ACTOR = Actor("m.alvarez", "crisis-lead")
DEMO = Path(__file__).parents[2] / "service" / "demo" / "calendar-2026-27.ics"


def ics(*events: str, name: str = "Test USD 2026-27 calendar") -> str:
    header = f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nX-WR-CALNAME:{name}\r\n"
    return header + "".join(events) + "END:VCALENDAR\r\n"


def day_event(uid: str, start: str, end: str, summary: str, *more: str) -> str:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{uid}",
        "DTSTAMP:20260601T000000Z",
        f"DTSTART;VALUE=DATE:{start}",
        f"DTEND;VALUE=DATE:{end}",
        f"SUMMARY:{summary}",
        *more,
        "END:VEVENT",
    ]
    return "\r\n".join(lines) + "\r\n"


YEAR = (
    day_event("a", "20260817", "20260818", "First day of school"),
    day_event("b", "20270528", "20270529", "Last day of school"),
    day_event("c", "20270816", "20270817", "First day of school"),
)


@pytest.fixture(scope="module")
def demo() -> object:
    return read_calendar(DEMO.read_text(encoding="utf-8"))


def test_a_holiday_is_a_day_without_school(demo: object) -> None:
    assert not demo.is_school_day(date(2026, 11, 11))  # Veterans Day, a Wednesday
    assert demo.is_school_day(date(2026, 11, 10))
    assert demo.after(date(2026, 11, 10)) == date(2026, 11, 12)


def test_counting_school_days_across_winter_break(demo: object) -> None:
    # Friday Dec 18 is the last day before the break (Dec 21 to Jan 1): the next is Jan 4.
    assert demo.after(date(2026, 12, 18)) == date(2027, 1, 4)
    assert demo.after(date(2026, 12, 16), 5) == date(2027, 1, 6)
    clock = SchoolClock(CHICAGO, calendar=demo)
    due = Offset.parse("3 school days").at(datetime(2026, 12, 17, 10, tzinfo=CHICAGO), clock)
    assert due.astimezone(CHICAGO) == datetime(2027, 1, 5, 10, tzinfo=CHICAGO)
    # Without the calendar the same count lands inside the break.
    weekdays = Offset.parse("3 school days").at(
        datetime(2026, 12, 17, 10, tzinfo=CHICAGO), SchoolClock(CHICAGO)
    )
    assert weekdays.astimezone(CHICAGO).date() == date(2026, 12, 22)


def test_the_demo_calendar_knows_its_breaks_and_holidays(demo: object) -> None:
    assert demo.description == "Riverside USD 2026-27 calendar"
    for day_off in ("2026-11-26", "2027-01-18", "2027-03-24", "2026-12-31"):
        assert not demo.is_school_day(date.fromisoformat(day_off)), day_off
    # A late start (timed, weekly) keeps Wednesday a school day.
    assert demo.is_school_day(date(2026, 9, 2))


def test_summer_is_not_school_and_the_next_year_is_known(demo: object) -> None:
    assert demo.is_school_day(date(2027, 5, 28))
    assert not demo.is_school_day(date(2027, 6, 1))
    assert demo.after(date(2027, 5, 28)) == date(2027, 8, 16)
    assert demo.next_year_starts(date(2026, 10, 1)) == date(2027, 8, 16)
    assert demo.next_year_starts(date(2026, 8, 1)) == date(2026, 8, 17)
    assert demo.next_year_starts(date(2027, 8, 16)) is None


def test_nearest_school_day(demo: object) -> None:
    assert demo.nearest(date(2026, 11, 10)) == date(2026, 11, 10)
    assert demo.nearest(date(2026, 10, 10)) == date(2026, 10, 8)  # Sat after a work day: Thu
    assert demo.nearest(date(2026, 10, 11)) == date(2026, 10, 12)  # Sunday: Monday
    assert WEEKDAYS.nearest(date(2026, 11, 21)) == date(2026, 11, 20)  # Saturday, a tie: Friday
    assert demo.nearest(date(2026, 12, 24)) == date(2026, 12, 18)  # inside the break
    assert demo.nearest(date(2026, 12, 27)) == date(2027, 1, 4)


def test_a_recurring_holiday_with_an_exception() -> None:
    # A teacher work day on the first Friday of five months, except November's.
    calendar = read_calendar(
        ics(
            *YEAR,
            day_event(
                "w",
                "20260904",
                "20260905",
                "Teacher work day",
                "RRULE:FREQ=MONTHLY;BYDAY=1FR;COUNT=5",
                "EXDATE;VALUE=DATE:20261106",
            ),
        )
    )
    assert not calendar.is_school_day(date(2026, 9, 4))
    assert not calendar.is_school_day(date(2026, 10, 2))
    assert calendar.is_school_day(date(2026, 11, 6))  # the exception: school as usual
    assert not calendar.is_school_day(date(2026, 12, 4))
    assert calendar.is_school_day(date(2027, 2, 5))  # after its fifth occurrence


def test_a_moved_occurrence_recurrence_id() -> None:
    moved = (
        "BEGIN:VEVENT\r\nUID:w\r\nDTSTAMP:20260601T000000Z\r\n"
        "RECURRENCE-ID;VALUE=DATE:20261002\r\nDTSTART;VALUE=DATE:20261005\r\n"
        "DTEND;VALUE=DATE:20261006\r\nSUMMARY:Teacher work day (moved)\r\nEND:VEVENT\r\n"
    )
    calendar = read_calendar(
        ics(
            *YEAR,
            day_event(
                "w", "20260904", "20260905", "Teacher work day", "RRULE:FREQ=MONTHLY;COUNT=3"
            ),
            moved,
        )
    )
    assert calendar.is_school_day(date(2026, 10, 2))  # that occurrence moved to the Monday
    assert not calendar.is_school_day(date(2026, 10, 5))
    assert not calendar.is_school_day(date(2026, 9, 4))


def test_a_saturday_make_up_day_is_a_school_day() -> None:
    calendar = read_calendar(ics(*YEAR, day_event("m", "20270206", "20270207", "Make-up day")))
    assert calendar.is_school_day(date(2027, 2, 6))
    assert calendar.after(date(2027, 2, 5)) == date(2027, 2, 6)


def test_a_non_school_day_stays_a_day_off() -> None:
    calendar = read_calendar(ics(*YEAR, day_event("n", "20261012", "20261013", "Non-school day")))
    assert not calendar.is_school_day(date(2026, 10, 12))


def test_a_calendar_of_holidays_only_keeps_monday_to_friday_otherwise() -> None:
    calendar = read_calendar(ics(day_event("h", "20261126", "20261128", "Thanksgiving")))
    assert not calendar.is_school_day(date(2026, 11, 27))
    assert calendar.is_school_day(date(2027, 7, 1))  # no school years given: no summer either
    assert calendar.next_year_starts(date(2026, 11, 1)) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Date,Event\n2026-11-26,Thanksgiving\n", "not an iCalendar file"),
        (ics(), "has no events"),
        (
            ics(day_event("b", "20270528", "20270529", "Last day of school")),
            "ends a school year with no first day",
        ),
        (
            ics(
                day_event("a", "20260817", "20260818", "First day of school"),
                day_event("c", "20270816", "20270817", "First day of school"),
            ),
            "has no last day of school before the next one starts on 2027-08-16",
        ),
        (
            "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART;VALUE=DATE:2026-13-45\r\nEND:VEVENT\r\n",
            "cannot be read as iCalendar",
        ),
    ],
)
def test_bad_files_are_refused_with_what_to_fix(text: str, message: str) -> None:
    with pytest.raises(CalendarInvalid, match=message):
        read_calendar(text)


def test_the_first_day_of_the_next_school_year_as_a_due_phrase(demo: object) -> None:
    october = datetime(2026, 10, 20, 11, tzinfo=CHICAGO)
    clock = SchoolClock(CHICAGO, calendar=demo)
    assert Offset.parse("first day of the next school year").at(october, clock) == datetime(
        2027, 8, 16, 8, tzinfo=CHICAGO
    )
    offset = Offset.parse("5 school days after the first day of the next school year")
    assert str(offset) == "5 school days after the first day of the next school year"
    assert offset.at(october, clock) == datetime(2027, 8, 23, 8, tzinfo=CHICAGO)
    with pytest.raises(DomainError, match="No school calendar is loaded"):
        Offset.parse("first day of the next school year").at(october, SchoolClock(CHICAGO))


def test_several_schools_count_a_day_when_any_is_open(demo: object) -> None:
    own = read_calendar(
        ics(
            *YEAR,
            day_event("x", "20261110", "20261111", "Conference day"),
            day_event("t", "20261126", "20261128", "Thanksgiving"),
            name="Lincoln",
        )
    )
    both = AnyOpen([demo, own])
    assert not own.is_school_day(date(2026, 11, 10))
    assert both.is_school_day(date(2026, 11, 10))  # the district's schools are open
    assert not both.is_school_day(date(2026, 11, 26))  # Thanksgiving: all are closed
    assert "Riverside USD 2026-27 calendar and Lincoln" in both.description
    assert WEEKDAYS.description.startswith("No school calendar is loaded")


def a_task(due_rule: str, due_at: datetime, **more: object) -> Task:
    return Task(
        id="T1",
        title="Check in",
        instructions="",
        phase=Phase.RECOVERY,
        owner_role="counselor",
        due_at=due_at,
        stakeholder="students",
        component="crisis-support",
        playbook_id="p",
        step_id="s",
        due_rule=due_rule,
        **more,  # type: ignore[arg-type]
    )


def test_a_task_counted_from_a_milestone_is_counted_again_from_it(demo: object) -> None:
    discharged = datetime(2026, 12, 17, 10, tzinfo=CHICAGO)
    milestone = RecordedMilestone("discharge", "Discharged", discharged, discharged, LEAD_ACTOR)
    on_weekdays = Offset.parse("5 school days").at(discharged, SchoolClock(CHICAGO))
    task = a_task("5 school days", on_weekdays, waits_for="discharge")
    clock = SchoolClock(CHICAGO, calendar=demo)
    now = datetime(2026, 12, 18, 9, tzinfo=CHICAGO)
    moved = recounted_due(
        task, occurred_at=now, milestones={"discharge": milestone}, clock=clock, now=now
    )
    assert moved == datetime(2027, 1, 7, 10, tzinfo=CHICAGO)
    # Without the milestone recorded there is nothing to count from; hours never move.
    assert recounted_due(task, occurred_at=now, milestones={}, clock=clock, now=now) is None
    hours = a_task("48 hours", on_weekdays)
    assert recounted_due(hours, occurred_at=now, milestones={}, clock=clock, now=now) is None
