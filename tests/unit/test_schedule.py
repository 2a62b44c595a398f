"""Due dates as a school sees them: local time in America/Chicago, school days, school hours."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError
from domain.schedule import Offset
from domain.school_days import SchoolClock, SchoolHours

CHICAGO = ZoneInfo("America/Chicago")
CLOCK = SchoolClock(CHICAGO)  # 08:00 to 15:00, Monday to Friday


def at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    """A Chicago wall-clock moment."""
    return datetime(year, month, day, hour, minute, tzinfo=CHICAGO)


def due(text: str, moment: datetime, clock: SchoolClock = CLOCK) -> datetime:
    found = Offset.parse(text).at(moment, clock)
    assert found.tzinfo is UTC
    return found.astimezone(CHICAGO)


FRIDAY_7PM = at(2026, 11, 20, 19)  # a Friday evening report


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 minutes", at(2026, 11, 20, 19, 30)),
        ("1 hour", at(2026, 11, 20, 20)),
        ("8 hours", at(2026, 11, 21, 3)),  # clock hours do run through the night
        ("2 days", at(2026, 11, 22, 19)),  # calendar days land on a Sunday
        ("1 school day", at(2026, 11, 23, 15)),  # Monday; 19:00 is after school: its end
        ("before school starts", at(2026, 11, 23, 8)),
        ("by the end of the school day", at(2026, 11, 23, 15)),
        ("next school morning", at(2026, 11, 23, 9)),
        ("2 school days, before school starts", at(2026, 11, 24, 8)),
        ("2 school days, by the end of the school day", at(2026, 11, 24, 15)),
        ("0 school days", FRIDAY_7PM),
    ],
)
def test_a_friday_evening_report_is_due_on_monday_when_its_steps_are_meant_for_school(
    text, expected
):
    assert due(text, FRIDAY_7PM) == expected


def test_school_days_keep_the_time_of_day_inside_school_hours():
    tuesday_10am = at(2026, 11, 17, 10, 30)
    assert due("2 school days", tuesday_10am) == at(2026, 11, 19, 10, 30)
    assert due("10 school days", tuesday_10am) == at(2026, 12, 1, 10, 30)  # two weekends skipped
    assert due("3 school days", at(2026, 11, 19, 14)) == at(2026, 11, 24, 14)  # Thu -> Tue


def test_a_school_day_count_before_school_hours_moves_to_that_days_end():
    assert due("2 school days", at(2026, 11, 17, 6)) == at(2026, 11, 19, 15)


def test_a_weekend_incident_counts_school_days_from_monday():
    saturday_noon = at(2026, 11, 21, 12)
    assert due("1 school day", saturday_noon) == at(2026, 11, 23, 12)
    assert due("before school starts", saturday_noon) == at(2026, 11, 23, 8)
    assert due("by the end of the school day", saturday_noon) == at(2026, 11, 23, 15)
    assert due("next school morning", saturday_noon) == at(2026, 11, 23, 9)


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 17, 6), at(2026, 11, 17, 8)),  # Tuesday before school: that morning
        (at(2026, 11, 17, 8), at(2026, 11, 17, 8)),  # at the bell: now
        (at(2026, 11, 17, 10), at(2026, 11, 18, 8)),  # school has started: tomorrow's
        (at(2026, 11, 20, 19), at(2026, 11, 23, 8)),  # Friday evening: Monday's
    ],
)
def test_before_school_starts_is_never_after_school_has_started(moment, expected):
    assert due("before school starts", moment) == expected


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (at(2026, 11, 17, 6), at(2026, 11, 17, 15)),
        (at(2026, 11, 17, 14, 59), at(2026, 11, 17, 15)),
        (at(2026, 11, 17, 15, 1), at(2026, 11, 18, 15)),
    ],
)
def test_by_the_end_of_the_school_day_is_that_day_or_the_next_school_day(moment, expected):
    assert due("by the end of the school day", moment) == expected


def test_next_school_morning_is_an_hour_into_the_next_school_day_even_from_early_morning():
    assert due("next school morning", at(2026, 11, 17, 6)) == at(2026, 11, 18, 9)
    assert due("next school morning", at(2026, 11, 20, 6)) == at(2026, 11, 23, 9)


def test_days_keep_the_wall_clock_time_across_both_daylight_saving_changes():
    # Autumn: clocks go back on Sunday 1 November 2026; spring: forward on Sunday 14 March 2027.
    assert due("7 days", at(2026, 10, 28, 14, 5)) == at(2026, 11, 4, 14, 5)
    assert due("7 days", at(2027, 3, 10, 14, 5)) == at(2027, 3, 17, 14, 5)
    assert due("1 school day", at(2026, 10, 30, 14, 5)) == at(2026, 11, 2, 14, 5)
    assert due("1 school day", at(2027, 3, 12, 14, 5)) == at(2027, 3, 15, 14, 5)
    assert due("before school starts", at(2026, 10, 30, 19)) == at(2026, 11, 2, 8)
    assert due("before school starts", at(2027, 3, 12, 19)) == at(2027, 3, 15, 8)


def test_hours_are_elapsed_time_across_daylight_saving():
    # 24 hours from Saturday noon before the autumn change is Sunday 11:00 on the wall clock.
    assert due("24 hours", at(2026, 10, 31, 12)) == at(2026, 11, 1, 11)
    assert due("24 hours", at(2027, 3, 13, 12)) == at(2027, 3, 14, 13)


def test_a_day_later_at_a_time_daylight_saving_skips_is_the_hour_after():
    # 02:30 does not happen on 14 March 2027; the step is due when the clock says 03:30.
    assert due("1 day", at(2027, 3, 13, 2, 30)) == at(2027, 3, 14, 3, 30)


def test_each_school_keeps_its_own_hours_and_several_schools_use_the_earliest():
    early = SchoolHours.parse("07:30", "14:10")
    late = SchoolHours.parse("08:45", "15:45")
    monday_6am = at(2026, 11, 23, 6)
    assert due("before school starts", monday_6am, SchoolClock(CHICAGO, early)) == at(
        2026, 11, 23, 7, 30
    )
    assert due("by the end of the school day", monday_6am, SchoolClock(CHICAGO, late)) == at(
        2026, 11, 23, 15, 45
    )
    both = SchoolClock(CHICAGO, SchoolHours.earliest([late, early]))
    assert due("before school starts", monday_6am, both) == at(2026, 11, 23, 7, 30)
    assert due("by the end of the school day", monday_6am, both) == at(2026, 11, 23, 14, 10)
    assert due("next school morning", monday_6am, both) == at(2026, 11, 24, 8, 30)


def test_the_same_phrases_in_any_spacing_and_case_read_the_same():
    assert Offset.parse("  2 School Days ,  Before school starts ") == Offset(
        2, "school days", "before school starts"
    )
    assert str(Offset.parse("1 school days, by the end of the school day")) == (
        "1 school day, by the end of the school day"
    )
    assert str(Offset.parse("next school morning")) == "next school morning"


@pytest.mark.parametrize(
    "text",
    [
        "soon",
        "2 weeks",
        "-1 days",
        "1.5 hours",
        "",
        "2 days, before school starts",
        "before school",
    ],
)
def test_an_offset_that_cannot_be_read_says_how_to_write_one(text):
    with pytest.raises(DomainError, match=r"e\.g\. '30 minutes'.*'next school morning'"):
        Offset.parse(text)


@pytest.mark.parametrize("text", ["99999999 days", "1096 days", "800 school days", "30000 hours"])
def test_an_offset_beyond_three_years_is_refused_before_it_overflows_a_date(text):
    with pytest.raises(DomainError, match="too far ahead: at most 1095 days"):
        Offset.parse(text)


@pytest.mark.parametrize("text", ["365 days", "1095 days", "180 school days", "8760 hours"])
def test_a_year_of_recovery_and_its_anniversary_fit(text):
    assert Offset.parse(text).at(FRIDAY_7PM, CLOCK) > FRIDAY_7PM


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("15:00", "08:00", "must end after it starts"),
        ("08:00", "08:00", "must end after it starts"),
        ("8am", "15:00", "HH:MM on a 24-hour clock"),
        ("08:00", "25:00", "HH:MM on a 24-hour clock"),
    ],
)
def test_school_hours_that_cannot_be_a_school_day_are_refused(start, end, message):
    with pytest.raises(DomainError, match=message):
        SchoolHours.parse(start, end)
