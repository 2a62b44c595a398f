"""The moments Steady accepts into an event: a sane range, so that every stored date can be
shown, compared and converted to the district's time (year 1 at +14:00 cannot be)."""

from datetime import UTC, datetime, timedelta

from domain.errors import DomainError, InvalidValue

EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# A clock a little ahead on a responder's machine must not refuse an incident that just happened.
CLOCK_TOLERANCE = timedelta(minutes=5)
RANGE = f"from {EARLIEST:%Y-%m-%d} to {LATEST:%Y-%m-%d} (UTC)"


def check_moment(field: str, value: object) -> datetime:
    """The moment itself, if it has a time zone and lies within EARLIEST to LATEST."""
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise InvalidValue(
            f"{field} must be a date and time with a time zone, e.g. 2026-11-23T08:15-06:00",
            field,
        )
    # Aware comparisons never convert, so even datetime.min at +14:00 compares safely.
    if not EARLIEST <= value <= LATEST:
        raise InvalidValue(
            f"{field} ({value.isoformat()}) is outside the dates Steady accepts: give a moment "
            f"{RANGE}",
            field,
        )
    return value


def check_occurred_at(occurred_at: datetime, at: datetime) -> datetime:
    """When an incident happened, told at `at`: both moments Steady accepts, and not later
    than `at` (but for a clock a little ahead)."""
    if occurred_at.tzinfo is None:
        raise DomainError("when it happened must include a time zone, e.g. 2026-11-23T08:15-06:00")
    check_moment("at", at)
    check_moment("occurred_at", occurred_at)
    if occurred_at > at + CLOCK_TOLERANCE:
        raise DomainError(
            f"when it happened ({occurred_at.isoformat()}) is in the future; "
            "give the time the crisis happened or was reported"
        )
    return occurred_at
