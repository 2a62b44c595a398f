"""Times as the pages write them: a date of another year says its year, even when it is near."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from web.rendering import format_time

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 1, 10, 18, 0, tzinfo=UTC)  # Sat 10 Jan 2026, noon in Chicago


def text(when: datetime) -> str:
    shown = format_time(when, ZONE, NOW)
    assert shown is not None
    return shown["text"]


def test_a_date_of_this_year_goes_without_its_year_and_another_years_with_it():
    assert text(datetime(2026, 1, 10, 15, 30, tzinfo=UTC)) == "today 09:30"
    assert text(datetime(2026, 1, 9, 15, 30, tzinfo=UTC)) == "yesterday 09:30"
    assert text(datetime(2026, 1, 5, 15, 30, tzinfo=UTC)) == "Mon 5 Jan, 09:30"
    # Three weeks ago, but last year: without the year it would read as this December.
    assert text(datetime(2025, 12, 20, 15, 30, tzinfo=UTC)) == "20 Dec 2025, 09:30"
    assert text(datetime(2027, 1, 4, 15, 30, tzinfo=UTC)) == "4 Jan 2027, 09:30"
