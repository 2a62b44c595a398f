"""School days and school hours: which dates a school is open and when its day starts and ends.

Without a school calendar every Monday to Friday is a school day. A district's or a school's
imported calendar (holidays, breaks, the first and last days of school) is a subclass
(domain/school_calendar.py). Everything that counts school days asks a SchoolCalendar, so the
arithmetic (domain/schedule.py) is the same whichever calendar is in force."""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.errors import DomainError

CLOCK_PATTERN = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def parse_clock(what: str, text: object) -> time:
    """A time of day written HH:MM on a 24-hour clock, such as 08:15 or 15:30."""
    match = CLOCK_PATTERN.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise DomainError(
            f"{what} {text!r} is not a time of day: write it as HH:MM on a 24-hour clock, "
            "such as 08:15 or 15:30"
        )
    return time(int(match.group(1)), int(match.group(2)))


@dataclass(frozen=True)
class SchoolHours:
    """When a school's day starts and ends (local wall-clock times)."""

    start: time = time(8, 0)
    end: time = time(15, 0)

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise DomainError(
                f"a school day must end after it starts: {self.start:%H:%M} to {self.end:%H:%M} "
                "ends first; give the end as a later time, such as 15:00"
            )

    @classmethod
    def parse(cls, start: object, end: object) -> "SchoolHours":
        return cls(parse_clock("start time", start), parse_clock("end time", end))

    @classmethod
    def earliest(cls, hours: Iterable["SchoolHours"]) -> "SchoolHours":
        """For an incident at several schools: the earliest start and the earliest end, so a
        step due before school or by the end of the day is due in time for every one of them."""
        found = list(hours)
        if not found:
            return cls()
        return cls(min(h.start for h in found), min(h.end for h in found))

    def __str__(self) -> str:
        return f"{self.start:%H:%M} to {self.end:%H:%M}"


DEFAULT_HOURS = SchoolHours()


# No calendar keeps school closed this long (a summer is under three months): a longer run of
# days without school means the calendar ends there, and counting stops with a clear message.
LONGEST_CLOSURE = 200

NO_CALENDAR = "No school calendar is loaded: school days are Monday to Friday"


class SchoolCalendar:
    """Which dates are school days: Monday to Friday when no school calendar is loaded."""

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5

    @property
    def description(self) -> str:
        """Which calendar this is, in words a page can show."""
        return NO_CALENDAR

    def next_year_starts(self, after: date) -> date | None:
        """The first day of the next school year after `after`; None when no calendar says."""
        return None

    def after(self, day: date, count: int = 1) -> date:
        """The count-th school day after `day` (not counting `day` itself)."""
        found, closed = day, 0
        while count > 0:
            found += timedelta(days=1)
            if self.is_school_day(found):
                count, closed = count - 1, 0
            else:
                closed += 1
                if closed > LONGEST_CLOSURE:
                    raise self._runs_out(day)
        return found

    def on_or_after(self, day: date) -> date:
        return day if self.is_school_day(day) else self.after(day)

    def nearest(self, day: date) -> date:
        """The nearest school day: the day itself if school is open, else the closer of the
        school days before and after it (the earlier one on a tie)."""
        for distance in range(LONGEST_CLOSURE + 1):
            for candidate in (day - timedelta(days=distance), day + timedelta(days=distance)):
                if self.is_school_day(candidate):
                    return candidate
        raise self._runs_out(day)

    def _runs_out(self, day: date) -> DomainError:
        return DomainError(
            f"{self.description} has no school day within {LONGEST_CLOSURE} days of "
            f"{day.isoformat()}: import a school calendar that covers that time, with the first "
            "day of its school year"
        )


WEEKDAYS = SchoolCalendar()


def local(zone: ZoneInfo, day: date, at: time) -> datetime:
    """The moment a local wall-clock time happens on a date, in UTC. A time that daylight
    saving skips (02:30 on the spring change) is read as the clock before the change, an hour
    later in real time; a time it repeats is its first occurrence."""
    moment = datetime.combine(day, at, tzinfo=zone)
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # at the calendar's edge there is no UTC form: keep the local one
        return moment


@dataclass(frozen=True)
class SchoolClock:
    """What due arithmetic needs to know: the district's time zone, the school hours of the
    incident's schools, and the calendar of school days."""

    zone: ZoneInfo
    hours: SchoolHours = DEFAULT_HOURS
    calendar: SchoolCalendar = field(default=WEEKDAYS)

    def start(self, day: date) -> datetime:
        return local(self.zone, day, self.hours.start)

    def end(self, day: date) -> datetime:
        return local(self.zone, day, self.hours.end)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()
