from datetime import UTC, datetime

import pytest

from domain.errors import DomainError
from domain.schedule import Offset

FRIDAY_3PM = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 minutes", datetime(2026, 11, 20, 15, 30, tzinfo=UTC)),
        ("1 hour", datetime(2026, 11, 20, 16, 0, tzinfo=UTC)),
        ("2 days", datetime(2026, 11, 22, 15, 0, tzinfo=UTC)),
        ("1 school day", datetime(2026, 11, 23, 15, 0, tzinfo=UTC)),  # Friday -> Monday
        ("10 school days", datetime(2026, 12, 4, 15, 0, tzinfo=UTC)),
        ("0 school days", FRIDAY_3PM),
    ],
)
def test_offsets_count_clock_time_and_school_days_monday_to_friday(text, expected):
    assert Offset.parse(text).after(FRIDAY_3PM) == expected


@pytest.mark.parametrize("text", ["soon", "2 weeks", "-1 days", "1.5 hours", ""])
def test_an_offset_that_cannot_be_read_says_how_to_write_one(text):
    with pytest.raises(DomainError, match=r"e\.g\. '30 minutes'"):
        Offset.parse(text)


@pytest.mark.parametrize("text", ["99999999 days", "1096 days", "800 school days", "30000 hours"])
def test_an_offset_beyond_three_years_is_refused_before_it_overflows_a_date(text):
    with pytest.raises(DomainError, match="too far ahead: at most 1095 days"):
        Offset.parse(text)


@pytest.mark.parametrize("text", ["365 days", "1095 days", "180 school days", "8760 hours"])
def test_a_year_of_recovery_and_its_anniversary_fit(text):
    assert Offset.parse(text).after(FRIDAY_3PM) > FRIDAY_3PM
