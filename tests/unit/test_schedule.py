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
