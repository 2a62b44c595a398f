"""Follow-up plans laid out on school calendars: a holiday, a winter break, a check-in that
would land on a Saturday, monthly to the anniversary, and the milestones of a person's year."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.follow_up_format import parse_plan
from domain.follow_up_plan import (
    KeyDates,
    Span,
    TierPlan,
    add_months,
    nearest_school_day,
    plan_check_ins,
)
from domain.school_days import SchoolCalendar, SchoolHours

ZONE = ZoneInfo("America/Chicago")
HOURS = SchoolHours(time(8, 0), time(15, 0))


class DaysOff(SchoolCalendar):
    """Monday to Friday without the given days (a holiday, a break)."""

    def __init__(self, *off: date | tuple[date, date]) -> None:
        self.off: set[date] = set()
        for item in off:
            first, last = item if isinstance(item, tuple) else (item, item)
            while first <= last:
                self.off.add(first)
                first += timedelta(days=1)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.off


SHIPPED = [
    {
        "tier": 3,
        "title": "Intensive",
        "check_ins": [
            {"label": "First check-in", "at": "1 school day"},
            {"label": "Weekly check-in", "every": "week", "times": 4},
            {
                "label": "Monthly check-in",
                "every": "month",
                "starting": "2 months",
                "until": "anniversary",
            },
        ],
        "milestones": [
            "re-entry",
            "first-day-back",
            "six-months",
            "next-school-year",
            "birthday",
            "graduation",
            "anniversary",
        ],
    },
    {
        "tier": 2,
        "title": "Targeted",
        "check_ins": [
            {"label": "Weekly check-in", "every": "week", "times": 2},
            {"label": "One-month check-in", "at": "1 month"},
        ],
    },
    {
        "tier": 1,
        "title": "Class-level check",
        "check_ins": [
            {"label": "Class check at a week", "at": "1 week"},
            {"label": "Class check at a month", "at": "1 month"},
        ],
        "time": "10:30",
    },
]


def tier(number: int) -> TierPlan:
    plan, problems = parse_plan(SHIPPED)
    assert problems == [] and plan is not None
    found = plan.for_tier(number)
    assert found is not None
    return found


def days(check_ins) -> list[tuple[str, date]]:
    return [(c.label, c.due.astimezone(ZONE).date()) for c in check_ins]


# Thu 15 Oct 2026, 13:00 in Chicago: the student was triaged that afternoon.
TRIAGED = datetime(2026, 10, 15, 18, 0, tzinfo=UTC)


def test_tier_two_weekly_counts_school_weeks_and_skips_a_holiday():
    # Tue 20 Oct is a teacher work day: the first school week ends a day later.
    calendar = DaysOff(date(2026, 10, 20))
    planned = plan_check_ins(
        tier(2), start=TRIAGED, zone=ZONE, calendar=calendar, hours=HOURS, key_dates=KeyDates()
    )
    assert days(planned) == [
        ("Weekly check-in", date(2026, 10, 23)),  # 16, 19, 21, 22, 23: Fri, not Thu 22
        ("Weekly check-in", date(2026, 10, 30)),
        ("One-month check-in", date(2026, 11, 16)),  # 15 Nov is a Sunday: Mon 16 is nearer
    ]
    # By the end of the school day (15:00), in Chicago (CST from 1 Nov).
    assert planned[2].due == datetime(2026, 11, 16, 21, 0, tzinfo=UTC)


def test_a_month_that_lands_on_a_saturday_moves_to_the_friday_before():
    start = datetime(2026, 7, 15, 15, 0, tzinfo=UTC)  # Wed 15 Jul; 15 Aug is a Saturday
    plan = TierPlan(2, "t", (tier(2).check_ins[1],))
    planned = plan_check_ins(
        plan, start=start, zone=ZONE, calendar=SchoolCalendar(), hours=HOURS, key_dates=KeyDates()
    )
    # Saturday is a day from Friday and two from Monday.
    assert days(planned) == [("One-month check-in", date(2026, 8, 14))]


def test_tier_one_at_its_declared_time():
    planned = plan_check_ins(
        tier(1),
        start=TRIAGED,
        zone=ZONE,
        calendar=SchoolCalendar(),
        hours=HOURS,
        key_dates=KeyDates(),
    )
    assert days(planned) == [
        ("Class check at a week", date(2026, 10, 22)),
        ("Class check at a month", date(2026, 11, 16)),
    ]
    assert planned[0].due == datetime(2026, 10, 22, 15, 30, tzinfo=UTC)  # 10:30 CDT


WINTER = (date(2026, 12, 21), date(2027, 1, 1))
SPRING = (date(2027, 3, 15), date(2027, 3, 19))


def test_tier_three_across_a_winter_break_to_the_anniversary():
    calendar = DaysOff(WINTER, SPRING, date(2026, 11, 26), date(2026, 11, 27))
    start = datetime(2026, 12, 14, 16, 0, tzinfo=UTC)  # Mon 14 Dec, 10:00
    key_dates = KeyDates(
        return_to_school=date(2027, 1, 4),
        birthday=(3, 17),  # during spring break: the nearest school day is the Friday before
        graduation=date(2027, 6, 5),  # a Saturday
        next_school_year=date(2027, 8, 16),
        anniversary=date(2027, 12, 12),  # a Sunday: Mon 13 is one day off, Fri 10 two
    )
    planned = plan_check_ins(
        tier(3), start=start, zone=ZONE, calendar=calendar, hours=HOURS, key_dates=key_dates
    )
    got = days(planned)
    assert got[:6] == [
        ("First check-in", date(2026, 12, 15)),
        ("Re-entry meeting before the return", date(2026, 12, 18)),  # the Friday before break
        # The first weekly check-in is the fifth school day (15-18 Dec, then 4 Jan): the first
        # day back stands in for it.
        ("First day back", date(2027, 1, 4)),
        ("Weekly check-in", date(2027, 1, 11)),
        ("Weekly check-in", date(2027, 1, 18)),
        ("Weekly check-in", date(2027, 1, 25)),
    ]
    monthly = [d for label, d in got if label == "Monthly check-in"]
    # 14 Feb 2027 is a Sunday -> Mon 15; 14 Mar is a Sunday before spring break -> Fri 12,
    # the birthday's day.
    assert monthly[:2] == [date(2027, 2, 15), date(2027, 4, 14)]  # 12 Mar is the birthday
    assert monthly[-1] == date(2027, 11, 15)  # 14 Nov 2027 is a Sunday
    assert all(d < date(2027, 12, 12) for d in monthly)
    assert ("Birthday", date(2027, 3, 12)) in got  # 17 Mar is in spring break
    assert ("Graduation", date(2027, 6, 4)) in got
    assert ("First day of the next school year", date(2027, 8, 16)) in got
    assert ("Six months on", date(2027, 6, 14)) in got
    assert ("Monthly check-in", date(2027, 6, 14)) not in got  # the milestone stands in for it
    assert got[-1] == ("First anniversary", date(2027, 12, 13))  # Sun 12: Mon 13 is nearer
    assert all(calendar.is_school_day(d) for _, d in got)


def test_weekly_check_ins_skip_the_winter_break():
    calendar = DaysOff(WINTER)
    start = datetime(2026, 12, 14, 16, 0, tzinfo=UTC)
    planned = plan_check_ins(
        tier(2), start=start, zone=ZONE, calendar=calendar, hours=HOURS, key_dates=KeyDates()
    )
    # The fifth school day after Mon 14 Dec: 15, 16, 17, 18, then 4 Jan (the break skipped).
    assert days(planned)[:2] == [
        ("Weekly check-in", date(2027, 1, 4)),
        ("Weekly check-in", date(2027, 1, 11)),
    ]


def test_nearest_school_day_prefers_the_earlier_on_a_tie():
    assert nearest_school_day(SchoolCalendar(), date(2026, 8, 15)) == date(2026, 8, 14)
    assert nearest_school_day(SchoolCalendar(), date(2026, 8, 16)) == date(2026, 8, 17)
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)


def test_a_return_already_past_has_no_re_entry_meeting():
    planned = plan_check_ins(
        TierPlan(3, "t", (), ("re-entry", "first-day-back")),
        start=TRIAGED,
        zone=ZONE,
        calendar=SchoolCalendar(),
        hours=HOURS,
        key_dates=KeyDates(return_to_school=date(2026, 10, 15)),
    )
    assert days(planned) == [("First day back", date(2026, 10, 15))]


@pytest.mark.parametrize(
    ("entry", "where", "expected"),
    [
        (
            {"tier": 4, "title": "x", "check_ins": [{"label": "a", "at": "1 week"}]},
            "follow_ups[0].tier",
            "1 (universal), 2 (targeted) or 3 (intensive), got the integer 4",
        ),
        (
            {"tier": 1, "title": "x", "check_ins": [{"label": "a", "at": "1 fortnight"}]},
            "follow_ups[0].check_ins[0].at",
            "a whole number and a unit",
        ),
        (
            {"tier": 1, "title": "x", "check_ins": [{"label": "a", "every": "week"}]},
            "follow_ups[0].check_ins[0]",
            "a series needs `times`",
        ),
        (
            {
                "tier": 1,
                "title": "x",
                "check_ins": [{"label": "a", "at": "1 week", "every": "week"}],
            },
            "follow_ups[0].check_ins[0]",
            "either `at`",
        ),
        (
            {"tier": 1, "title": "x", "milestones": ["prom"]},
            "follow_ups[0].milestones[0]",
            "one of the milestones",
        ),
        (
            {"tier": 1, "title": "x", "check_ins": [], "tme": "09:00"},
            "follow_ups[0].tme",
            "unknown key 'tme'",
        ),
        (
            {"tier": 1, "title": "x", "check_ins": [{"label": "a", "at": "1 week"}], "time": "9am"},
            "follow_ups[0].time",
            "HH:MM",
        ),
    ],
)
def test_a_plan_with_a_mistake_names_the_field_and_what_was_expected(entry, where, expected):
    plan, problems = parse_plan([entry])
    assert plan is None
    assert any(w == where and expected in e for w, e in problems), problems


def test_a_tier_declared_twice_is_refused():
    entry = {"tier": 2, "title": "x", "check_ins": [{"label": "a", "at": "1 week"}]}
    plan, problems = parse_plan([entry, entry])
    assert plan is None and problems[0][0] == "follow_ups[1].tier"


def test_spans_read_singular_and_plural():
    assert Span.parse("1 school day") == Span(1, "school days")
    assert Span.parse("6 Months") == Span(6, "months")
    with pytest.raises(Exception, match="from 1 to 12 months"):
        Span.parse("13 months")
