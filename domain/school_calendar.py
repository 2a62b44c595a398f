"""A school calendar as a district publishes it: which days are school days, read from the
entries of its iCalendar file (service/calendars/ics.py expands the file, recurring events and
their exceptions included, into CalendarEntry values; this module decides what they mean).

The convention a district follows (docs/domain.md, "School calendars"):

- an all-day entry is a day (or days) without school: a holiday, a break, a teacher work day;
- unless its summary or categories say school is open: "First day of school", "Last day of
  school", or words such as "school day", "make-up day", "late start", "early release" (and
  not "no school" or "non-school", which keep it a day off);
- "First day of school" and "Last day of school" bound each school year: the days between
  them (weekdays, less the days without school) are school days; the summer between two years
  is not, and the next year's first day is known;
- an entry with a time of day (a late start at 10:00, a board meeting) changes no school day.

Before the calendar's first school year the calendar does not speak: Monday to Friday, less any
day off it lists. A calendar without first and last days is a list of days off on top of
Monday to Friday.
"""

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from domain.errors import DomainError
from domain.school_days import SchoolCalendar

FIRST_DAY = "first day of school"
LAST_DAY = "last day of school"
# Words in an all-day entry's summary or categories that mean school is open that day.
OPEN_WORDS = (
    "school day",
    "make-up day",
    "makeup day",
    "late start",
    "late arrival",
    "early release",
    "early dismissal",
    "minimum day",
    "half day",
)
# ... unless it also says school is closed ("Non-school day", "No school day").
CLOSED_WORDS = ("no school", "non-school", "non school", "school closed", "schools closed")
MAX_NAME = 200


class CalendarInvalid(DomainError):
    """A calendar file that cannot be used as the school calendar: the message says why."""


@dataclass(frozen=True)
class CalendarEntry:
    """One occurrence of an event in the file: a recurring event gives one per occurrence."""

    summary: str
    categories: tuple[str, ...]
    start: date
    end: date  # the first day after it (an all-day event of one day ends the next day)
    all_day: bool

    @property
    def words(self) -> str:
        return " ".join((self.summary, *self.categories)).casefold()

    @property
    def bound(self) -> str:
        """FIRST_DAY or LAST_DAY when it bounds a school year, else ""."""
        words = self.words.replace("-", " ")
        for bound in (FIRST_DAY, LAST_DAY):
            if bound in words:
                return bound
        return ""

    @property
    def school_is_open(self) -> bool:
        if self.bound:
            return True
        words = self.words
        closed = any(word in words for word in CLOSED_WORDS)
        return not closed and any(word in words for word in OPEN_WORDS)

    def days(self) -> Iterable[date]:
        day = self.start
        while day < max(self.end, self.start + timedelta(days=1)):
            yield day
            day += timedelta(days=1)


@dataclass(frozen=True)
class SchoolYear:
    first: date
    last: date | None  # None: the calendar's last year, whose end it does not give

    def holds(self, day: date) -> bool:
        return self.first <= day and (self.last is None or day <= self.last)


class LoadedCalendar(SchoolCalendar):
    """A calendar read from a district's or a school's file."""

    def __init__(
        self,
        name: str,
        *,
        years: Sequence[SchoolYear],
        days_off: Iterable[date],
        open_days: Iterable[date],
    ) -> None:
        self.name = name
        self.years = sorted(years, key=lambda y: y.first)
        self._firsts = [y.first for y in self.years]
        self.days_off = frozenset(days_off)
        self.open_days = frozenset(open_days)  # school days even on a weekend (a make-up day)

    @property
    def description(self) -> str:
        return self.name

    def is_school_day(self, day: date) -> bool:
        if day in self.open_days:
            return True
        if day.weekday() >= 5 or day in self.days_off:
            return False
        if not self.years or day < self.years[0].first:
            return True  # before its first school year the calendar does not speak
        index = bisect.bisect_right(self._firsts, day) - 1
        return self.years[index].holds(day)

    def next_year_starts(self, after: date) -> date | None:
        index = bisect.bisect_right(self._firsts, after)
        return self._firsts[index] if index < len(self._firsts) else None

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LoadedCalendar) and (
            self.name,
            self.years,
            self.days_off,
            self.open_days,
        ) == (other.name, other.years, other.days_off, other.open_days)

    def __hash__(self) -> int:
        return hash((self.name, tuple(self.years)))


def school_calendar(name: str, entries: Sequence[CalendarEntry]) -> LoadedCalendar:
    """The calendar these entries describe, by the convention above; refused with a message
    saying what to fix when they do not make one."""
    name = " ".join(name.split())[:MAX_NAME] or "the imported school calendar"
    if not entries:
        raise CalendarInvalid(
            f"{name} has no events: a school calendar lists at least its holidays and breaks as "
            "all-day events"
        )
    firsts = sorted({e.start for e in entries if e.bound == FIRST_DAY})
    lasts = sorted({e.start for e in entries if e.bound == LAST_DAY})
    days_off: set[date] = set()
    open_days: set[date] = set()
    for entry in entries:
        if not entry.all_day:
            continue  # a late start at 10:00 or a meeting: school is open that day
        (open_days if entry.school_is_open else days_off).update(entry.days())
    # A day the file marks as open is open, even inside a break that spans it.
    days_off -= open_days
    weekend_open = {day for day in open_days if day.weekday() >= 5}
    return LoadedCalendar(
        name, years=_years(name, firsts, lasts), days_off=days_off, open_days=weekend_open
    )


def _years(name: str, firsts: list[date], lasts: list[date]) -> list[SchoolYear]:
    """Pairs each first day of school with the last day that follows it."""
    years: list[SchoolYear] = []
    remaining = list(lasts)
    for index, first in enumerate(firsts):
        following = firsts[index + 1] if index + 1 < len(firsts) else None
        ends = [d for d in remaining if d >= first and (following is None or d < following)]
        if len(ends) > 1:
            raise CalendarInvalid(
                f"{name} has {len(ends)} last days of school in the year that starts on "
                f"{first.isoformat()} ({', '.join(d.isoformat() for d in ends)}): keep one"
            )
        if not ends and following is not None:
            raise CalendarInvalid(
                f"{name}: the school year that starts on {first.isoformat()} has no last day "
                f"of school before the next one starts on {following.isoformat()}: add an "
                "all-day event named 'Last day of school' on its last day"
            )
        last = ends[0] if ends else None
        if last is not None:
            remaining.remove(last)
        years.append(SchoolYear(first, last))
    if remaining:
        raise CalendarInvalid(
            f"{name}: the last day of school on {remaining[0].isoformat()} ends a school year "
            "with no first day: add an all-day event named 'First day of school' on the first "
            "day of that year"
        )
    return years


class AnyOpen(SchoolCalendar):
    """The calendars of an incident's schools together: a day is a school day when any of the
    schools is open, so the team works on every day one of its schools is in session."""

    def __init__(self, calendars: Sequence[SchoolCalendar]) -> None:
        self.calendars = list(dict.fromkeys(calendars))

    @property
    def description(self) -> str:
        loaded = [c.description for c in self.calendars if isinstance(c, LoadedCalendar)]
        names = " and ".join(dict.fromkeys(loaded))
        if len(self.calendars) == 1:
            return self.calendars[0].description
        if not loaded:
            return SchoolCalendar().description
        if len(loaded) < len(self.calendars):
            names += " (Monday to Friday at the schools without a calendar)"
        return f"{names}: a day counts when any of the incident's schools is open"

    def is_school_day(self, day: date) -> bool:
        return any(c.is_school_day(day) for c in self.calendars)

    def next_year_starts(self, after: date) -> date | None:
        starts = [s for c in self.calendars if (s := c.next_year_starts(after)) is not None]
        return min(starts) if starts else None
