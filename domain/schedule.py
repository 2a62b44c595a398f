"""Due offsets: when a step is due after the moment it counts from (the incident, or a
milestone), in the district's local time. The forms are those of playbooks/FORMAT.md:

- "N minutes", "N hours": elapsed clock time;
- "N days": the same local wall-clock time N calendar days later (14:05 stays 14:05 across a
  daylight-saving change);
- "N school days": the same wall-clock time on the Nth school day after, moved to the end of
  that school day when it falls outside school hours;
- anchors on the school day: "before school starts", "by the end of the school day",
  "next school morning", and "N school days, before school starts" / "N school days, by the
  end of the school day" for the anchor on the Nth school day after;
- "first day of the next school year" (the start of school that day, from the school calendar)
  and "N school days after the first day of the next school year"; refused with a clear
  message when no school calendar in force says when the next year starts.
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from domain.errors import DomainError
from domain.school_days import SchoolClock, local

UNITS = ("minutes", "hours", "days", "school days")
START = "before school starts"
END = "by the end of the school day"
MORNING = "next school morning"
NEXT_YEAR = "first day of the next school year"
ANCHORS = (START, END, MORNING, NEXT_YEAR)
# Recovery runs for a school year and its anniversary; an offset beyond three years is a typo,
# and a huge one would overflow a date or count school days for ever.
MAX_DAYS = 3 * 365
_DAYS_PER = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "school days": 7 / 5}
_COUNT = re.compile(r"^(\d+) (minute|minutes|hour|hours|day|days|school day|school days)$")
_COUNTED_ANCHOR = re.compile(rf"^(\d+) school days?, ({START}|{END})$")
_AFTER_NEXT_YEAR = re.compile(rf"^(\d+) school days? after the {NEXT_YEAR}$")
# A staff meeting "next school morning" is an hour into the day: time to gather first.
MORNING_DELAY = timedelta(hours=1)
FORMS = (
    "'30 minutes', '4 hours', '7 days', '10 school days', 'before school starts', "
    "'by the end of the school day', 'next school morning', "
    "'2 school days, before school starts', '2 school days, by the end of the school day', "
    f"'{NEXT_YEAR}' or '5 school days after the {NEXT_YEAR}'"
)


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: str  # one of UNITS, or "" for an anchor on the school day alone
    anchor: str = ""  # one of ANCHORS, or "" for a plain count

    @classmethod
    def parse(cls, text: str) -> "Offset":
        phrase = " ".join(text.lower().split()) if isinstance(text, str) else ""
        phrase = phrase.replace(" ,", ",")
        if phrase in ANCHORS:
            return cls(0, "", phrase)
        counted = _COUNTED_ANCHOR.match(phrase)
        after_next_year = _AFTER_NEXT_YEAR.match(phrase)
        if counted:
            offset = cls(int(counted.group(1)), "school days", counted.group(2))
        elif after_next_year:
            offset = cls(int(after_next_year.group(1)), "school days", NEXT_YEAR)
        else:
            match = _COUNT.match(phrase)
            if not match:
                raise DomainError(
                    f"due offset {text!r} is not understood: write a whole number and a unit, "
                    f"or an anchor on the school day, e.g. {FORMS}"
                )
            unit = match.group(2) if match.group(2).endswith("s") else match.group(2) + "s"
            offset = cls(int(match.group(1)), unit)
        if offset.unit and offset.amount * _DAYS_PER[offset.unit] > MAX_DAYS:
            raise DomainError(
                f"due offset {text!r} is too far ahead: at most {MAX_DAYS} days (three years), "
                "e.g. '365 days' for the first anniversary"
            )
        return offset

    @property
    def on_school_days(self) -> bool:
        """Whether it depends on school hours and the calendar (not only the clock)."""
        return self.unit == "school days" or bool(self.anchor)

    def at(self, moment: datetime, clock: SchoolClock) -> datetime:
        """When it is due, counted from `moment`, as a UTC moment."""
        try:
            return self._counted(moment.astimezone(UTC), clock)
        except OverflowError:
            # A moment at the edge of the calendar (year 1 at +14:00) has no UTC or local form:
            # it is counted in its own offset, as it was recorded.
            zone = moment.tzinfo
            return self._counted(moment, replace(clock, zone=zone))  # type: ignore[arg-type]

    def _counted(self, moment: datetime, clock: SchoolClock) -> datetime:
        if self.unit == "minutes":
            return moment + timedelta(minutes=self.amount)
        if self.unit == "hours":
            return moment + timedelta(hours=self.amount)
        here = moment.astimezone(clock.zone)
        if self.unit == "days":
            return local(clock.zone, here.date() + timedelta(days=self.amount), here.time())
        calendar = clock.calendar
        if self.anchor == NEXT_YEAR:
            starts = calendar.next_year_starts(here.date())
            if starts is None:
                raise DomainError(
                    f"a step due on the '{self}' needs a school calendar that says when the next "
                    f"school year starts, and none does ({calendar.description}): import the "
                    "calendar with its 'First day of school' events (steady calendar import "
                    "FILE.ics) and try again"
                )
            return clock.start(calendar.after(starts, self.amount) if self.amount else starts)
        if self.anchor == START and not self.unit:
            day = calendar.on_or_after(here.date())
            if clock.start(day) < moment:
                day = calendar.after(day)
            return clock.start(day)
        if self.anchor == END and not self.unit:
            day = here.date()
            if not calendar.is_school_day(day) or clock.end(day) < moment:
                day = calendar.after(day)
            return clock.end(day)
        if self.anchor == MORNING:
            return clock.start(calendar.after(here.date())) + MORNING_DELAY
        if self.amount == 0 and not self.anchor:
            return moment  # nothing to count: due at the moment itself
        day = calendar.after(here.date(), self.amount)
        if self.anchor == START:
            return clock.start(day)
        if self.anchor == END:
            return clock.end(day)
        due = local(clock.zone, day, here.time())
        if not clock.start(day) <= due <= clock.end(day):
            return clock.end(day)  # outside school hours: the end of that school day
        return due

    def __str__(self) -> str:
        if not self.unit:
            return self.anchor
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        counted = f"{self.amount} {unit}"
        if self.anchor == NEXT_YEAR:
            return f"{counted} after the {NEXT_YEAR}"
        return f"{counted}, {self.anchor}" if self.anchor else counted
