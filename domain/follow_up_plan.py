"""Follow-up plans: the check-ins each tier of need gets after an incident, as a playbook
declares them (playbooks/FORMAT.md, "[[follow_ups]]"; read by domain/follow_up_format.py), and
the pure arithmetic that lays them out on a school calendar (docs/domain.md, "Follow-up plans
and check-ins").

Counting rules, chosen so a plan never lands on a day without school and never doubles up:
- "N school days": the Nth school day after the start (the calendar's own count);
- "N weeks" and a weekly series: every 5 school days, so a week of break is not a week of
  check-ins, and two weekly check-ins never fall on one day;
- "N months" and a monthly series: the same day of the month N months on (the month's last
  day if it is shorter), moved to the nearest school day;
- milestones are moved to the nearest school day (a routine check-in on a milestone's day gives
  way to it), except the first day back and the first day
  of the next school year, which are school days on or after their date, and the re-entry
  meeting, the school day before the first day back.
A check-in is due at the tier's declared time, or by the end of the school day."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.numbers import is_whole_number
from domain.school_days import SchoolCalendar, SchoolHours, local

TIERS = (1, 2, 3)
TIER_NAMES = {1: "universal", 2: "targeted", 3: "intensive"}
SPAN_UNITS = ("school days", "weeks", "months")
PERIODS = ("week", "month")
UNTIL = ("anniversary",)
MILESTONES: dict[str, str] = {
    "re-entry": "Re-entry meeting before the return",
    "first-day-back": "First day back",
    "six-months": "Six months on",
    "next-school-year": "First day of the next school year",
    "birthday": "Birthday",
    "graduation": "Graduation",
    "anniversary": "First anniversary",
}
MAX_TIMES = 52  # a weekly series for a whole year; more is a typo
MAX_SPAN = {"school days": 200, "weeks": 52, "months": 12}
SCHOOL_DAYS_A_WEEK = 5
_SPAN = re.compile(r"^(\d+) (school day|school days|week|weeks|month|months)$")
SPAN_FORMS = "'1 school day', '3 school days', '1 week', '2 weeks', '1 month' or '6 months'"
# How far a search for a school day goes before it gives up: a calendar with none in a year
# is a broken calendar, not a long break.
SEARCH_DAYS = 366


@dataclass(frozen=True)
class Span:
    """A distance from the start: a whole number of school days, weeks or months."""

    amount: int
    unit: str  # one of SPAN_UNITS

    @classmethod
    def parse(cls, text: object) -> "Span":
        phrase = " ".join(text.lower().split()) if isinstance(text, str) else ""
        match = _SPAN.match(phrase)
        if not match:
            raise DomainError(f"a whole number and a unit: {SPAN_FORMS}")
        amount, unit = int(match.group(1)), match.group(2)
        unit = unit if unit.endswith("s") else unit + "s"
        if not 1 <= amount <= MAX_SPAN[unit]:
            raise DomainError(f"from 1 to {MAX_SPAN[unit]} {unit}")
        return cls(amount, unit)

    def __str__(self) -> str:
        return f"{self.amount} {self.unit if self.amount != 1 else self.unit[:-1]}"


@dataclass(frozen=True)
class Cadence:
    """One line of a tier's check-ins: a single check-in `at` a span, or a series `every`
    week or month, `times` times or `until` the anniversary, starting one period on unless
    `starting` says when."""

    label: str
    at: Span | None = None
    every: str = ""  # one of PERIODS, for a series
    times: int = 0  # how many in the series; 0 with `until`
    until: str = ""  # one of UNTIL
    starting: Span | None = None


@dataclass(frozen=True)
class TierPlan:
    tier: int
    title: str
    check_ins: tuple[Cadence, ...]
    milestones: tuple[str, ...] = ()  # keys of MILESTONES
    at_time: time | None = None  # the declared time of day; None: the end of the school day


@dataclass(frozen=True)
class FollowUpPlan:
    """A playbook's plans, one per tier it declares."""

    tiers: tuple[TierPlan, ...]

    def for_tier(self, tier: int) -> TierPlan | None:
        return next((plan for plan in self.tiers if plan.tier == tier), None)


@dataclass(frozen=True)
class KeyDates:
    """The hard dates of one person's year that get check-ins of their own."""

    return_to_school: date | None = None
    birthday: tuple[int, int] | None = None  # (month, day)
    graduation: date | None = None
    next_school_year: date | None = None
    anniversary: date | None = None  # the incident's date a year on; None: the start's

    def as_dict(self) -> dict[str, str]:
        """The dates given, as text (how events store them): a birthday as MM-DD."""
        shape = {
            "return_to_school": self.return_to_school,
            "graduation": self.graduation,
            "next_school_year": self.next_school_year,
            "anniversary": self.anniversary,
        }
        found = {k: v.isoformat() for k, v in shape.items() if v is not None}
        if self.birthday is not None:
            found["birthday"] = f"{self.birthday[0]:02d}-{self.birthday[1]:02d}"
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, str]) -> "KeyDates":
        def day(key: str) -> date | None:
            return date.fromisoformat(data[key]) if data.get(key) else None

        birthday = data.get("birthday")
        month_day = (int(birthday[:2]), int(birthday[3:])) if birthday else None
        return cls(
            return_to_school=day("return_to_school"),
            birthday=month_day,
            graduation=day("graduation"),
            next_school_year=day("next_school_year"),
            anniversary=day("anniversary"),
        )

    def checked(self) -> "KeyDates":
        """The same dates, refused with a clear message if a birthday is no day of the year."""
        if self.birthday is not None:
            month, day = self.birthday
            try:
                date(2024, month, day)  # a leap year: 29 February is a birthday
            except (TypeError, ValueError):
                raise DomainError(
                    f"birthday {self.birthday!r} is not a day of the year: give the month and "
                    "the day, such as (3, 17) for 17 March"
                ) from None
        return self


@dataclass(frozen=True)
class PlannedCheckIn:
    label: str
    due: datetime  # the moment it is due, in UTC
    milestone: str = ""  # a key of MILESTONES, or "" for a check-in of the cadence


def check_tier(tier: object) -> int:
    """A tier of need: 1 universal, 2 targeted, 3 intensive (MTSS)."""
    if not is_whole_number(tier, least=1, most=3):
        raise DomainError(
            f"tier {tier!r} is not a tier of need: give 1 (universal), 2 (targeted) or "
            "3 (intensive)"
        )
    return tier


def add_months(day: date, months: int) -> date:
    """The same day of the month `months` later; the month's last day if it has fewer days."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("every month has at least 28 days")


def nearest_school_day(calendar: SchoolCalendar, day: date) -> date:
    """The nearest school day (the day itself if school; the earlier on a tie). A calendar
    that knows its own answer (SchoolCalendar.nearest) is asked."""
    own = getattr(calendar, "nearest", None)
    if callable(own):
        return own(day)
    for distance in range(SEARCH_DAYS):
        for candidate in (day - timedelta(days=distance), day + timedelta(days=distance)):
            if calendar.is_school_day(candidate):
                return candidate
    raise DomainError(f"the school calendar has no school day within a year of {day}")


def school_day_before(calendar: SchoolCalendar, day: date) -> date:
    found = day - timedelta(days=1)
    for _ in range(SEARCH_DAYS):
        if calendar.is_school_day(found):
            return found
        found -= timedelta(days=1)
    raise DomainError(f"the school calendar has no school day in the year before {day}")


def _span_day(calendar: SchoolCalendar, start: date, span: Span) -> date:
    if span.unit == "school days":
        return calendar.after(start, span.amount)
    if span.unit == "weeks":
        return calendar.after(start, SCHOOL_DAYS_A_WEEK * span.amount)
    return nearest_school_day(calendar, add_months(start, span.amount))


def _next_birthday(start: date, month: int, day: int) -> date:
    for year in (start.year, start.year + 1):
        try:
            found = date(year, month, day)
        except ValueError:  # 29 February in a year without it
            found = date(year, month, 28)
        if found > start:
            return found
    raise AssertionError("a birthday comes round within a year")


def _series_day(cadence: Cadence, calendar: SchoolCalendar, start: date, index: int) -> date:
    """The school day of the index-th check-in of a series (from 0), before any move for a
    day without school is undone: a weekly series counts school days, a monthly one months."""
    starting = cadence.starting
    if cadence.every == "week":
        if starting is None:
            return calendar.after(start, SCHOOL_DAYS_A_WEEK * (index + 1))
        first = _span_day(calendar, start, starting)
        return calendar.after(first, SCHOOL_DAYS_A_WEEK * index) if index else first
    if starting is None or starting.unit == "months":
        months = index + (starting.amount if starting else 1)
        return add_months(start, months)
    return add_months(_span_day(calendar, start, starting), index)


def _cadence_days(
    cadence: Cadence, calendar: SchoolCalendar, start: date, anniversary: date
) -> list[date]:
    if cadence.at is not None:
        return [_span_day(calendar, start, cadence.at)]
    days: list[date] = []
    limit = cadence.times or MAX_TIMES
    while len(days) < limit:
        day = _series_day(cadence, calendar, start, len(days))
        # The anniversary has its own check-in: a series "until" it stops short of it.
        if cadence.until and day >= anniversary:
            break
        days.append(day if cadence.every == "week" else nearest_school_day(calendar, day))
    return days


def _milestone_day(
    milestone: str,
    calendar: SchoolCalendar,
    start: date,
    key_dates: KeyDates,
    anniversary: date,
) -> date | None:
    back = key_dates.return_to_school
    if milestone == "first-day-back":
        return calendar.on_or_after(back) if back else None
    if milestone == "re-entry":
        return school_day_before(calendar, calendar.on_or_after(back)) if back else None
    if milestone == "six-months":
        return nearest_school_day(calendar, add_months(start, 6))
    if milestone == "next-school-year":
        first = key_dates.next_school_year
        asked = getattr(calendar, "next_year_starts", None)
        if first is None and callable(asked):
            first = asked(start)
        return calendar.on_or_after(first) if first else None
    if milestone == "birthday":
        if key_dates.birthday is None:
            return None
        return nearest_school_day(calendar, _next_birthday(start, *key_dates.birthday))
    if milestone == "graduation":
        return nearest_school_day(calendar, key_dates.graduation) if key_dates.graduation else None
    return nearest_school_day(calendar, anniversary)


def plan_check_ins(
    plan: TierPlan,
    *,
    start: datetime,
    zone: ZoneInfo,
    calendar: SchoolCalendar,
    hours: SchoolHours,
    key_dates: KeyDates,
) -> list[PlannedCheckIn]:
    """The check-ins of a tier's plan counted from `start` (when the person was triaged), in
    due order. None falls before the start's own day: a return already past has no re-entry
    meeting to plan."""
    start_day = start.astimezone(zone).date()
    anniversary = key_dates.anniversary or add_months(start_day, 12)
    # By the end of the school day: missed only once the day is over.
    at = plan.at_time or hours.end
    found: list[tuple[date, int, str, str]] = []
    for order, cadence in enumerate(plan.check_ins):
        for day in _cadence_days(cadence, calendar, start_day, anniversary):
            found.append((day, order, cadence.label, ""))
    for order, milestone in enumerate(plan.milestones, start=len(plan.check_ins)):
        day = _milestone_day(milestone, calendar, start_day, key_dates, anniversary)
        if day is not None:
            found.append((day, order, MILESTONES[milestone], milestone))
    # A milestone's check-in stands in for the routine one of its day: one meeting, not two.
    milestone_days = {day for day, _, _, milestone in found if milestone}
    return [
        PlannedCheckIn(label, local(zone, day, at), milestone)
        for day, _, label, milestone in sorted(found)
        if day >= start_day and (milestone or day not in milestone_days)
    ]
