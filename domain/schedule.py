"""Due offsets: how long after an incident a step is due, in clock time or school days."""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.errors import DomainError

UNITS = ("minutes", "hours", "days", "school days")
# Recovery runs for a school year and its anniversary; an offset beyond three years is a typo,
# and a huge one would overflow a date or count school days for ever.
MAX_DAYS = 3 * 365
_DAYS_PER = {"minutes": 1 / 1440, "hours": 1 / 24, "days": 1.0, "school days": 7 / 5}
_PATTERN = re.compile(
    r"^\s*(\d+)\s+(minute|minutes|hour|hours|day|days|school day|school days)\s*$"
)


@dataclass(frozen=True)
class Offset:
    amount: int
    unit: str  # one of UNITS

    @classmethod
    def parse(cls, text: str) -> "Offset":
        match = _PATTERN.match(text.lower()) if isinstance(text, str) else None
        if not match:
            raise DomainError(
                f"due offset {text!r} is not understood: write a whole number and a unit, "
                "e.g. '30 minutes', '4 hours', '7 days' or '10 school days'"
            )
        amount, unit = int(match.group(1)), match.group(2)
        if not unit.endswith("s"):
            unit += "s"
        if amount * _DAYS_PER[unit] > MAX_DAYS:
            raise DomainError(
                f"due offset {text!r} is too far ahead: at most {MAX_DAYS} days (three years), "
                "e.g. '365 days' for the first anniversary"
            )
        return cls(amount, unit)

    def after(self, anchor: datetime) -> datetime:
        if self.unit == "minutes":
            return anchor + timedelta(minutes=self.amount)
        if self.unit == "hours":
            return anchor + timedelta(hours=self.amount)
        if self.unit == "days":
            return anchor + timedelta(days=self.amount)
        return add_school_days(anchor, self.amount)

    def __str__(self) -> str:
        unit = self.unit[:-1] if self.amount == 1 else self.unit
        return f"{self.amount} {unit}"


def add_school_days(anchor: datetime, count: int) -> datetime:
    """Counts school days Monday to Friday; a school calendar with holidays comes later."""
    day = anchor
    while count > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            count -= 1
    return day
