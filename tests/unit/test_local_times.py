"""A timeline's times read exactly as local_time() puts them, in any zone, across clock changes."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from service.timelines.local_times import LocalTimes, in_zone, local_time

# Zones whose clocks change, some by half an hour or at odd moments, and one far from UTC.
ZONES = [
    ZoneInfo(name)
    for name in (
        "America/Chicago",
        "America/St_Johns",
        "Asia/Kolkata",
        "Australia/Lord_Howe",
        "Europe/Moscow",
        "Pacific/Kiritimati",
        "UTC",
    )
]


@settings(max_examples=300, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    instants=st.lists(
        st.datetimes(min_value=datetime(1850, 1, 1), max_value=datetime(2100, 1, 1)).map(
            lambda naive: naive.replace(tzinfo=UTC)
        ),
        min_size=1,
        max_size=20,
    ),
)
def test_the_same_words_as_local_time_for_any_instants(zone, instants):
    times = LocalTimes(zone)
    for when in instants:
        assert times(when) == local_time(when, zone)


def test_every_minute_around_a_change_of_clocks_reads_as_before():
    chicago = ZoneInfo("America/Chicago")
    times = LocalTimes(chicago)
    start = datetime(2026, 11, 1, 5, 0, 7, tzinfo=UTC)  # 00:00:07 CDT; clocks fall back at 02:00
    for minute in range(0, 6 * 60, 7):
        when = start + timedelta(minutes=minute)
        assert times(when) == local_time(when, chicago)
    assert times(datetime(2026, 11, 1, 6, 30, tzinfo=UTC))[1] == "Sun 1 Nov 2026, 01:30:00 CDT"
    assert times(datetime(2026, 11, 1, 7, 30, tzinfo=UTC))[1] == "Sun 1 Nov 2026, 01:30:00 CST"
    assert times(datetime(2026, 11, 1, 7, 30, 0, 250, tzinfo=UTC))[0] == (
        "2026-11-01T01:30:00.000250-06:00"
    )


FAR_PAST = datetime.min.replace(tzinfo=timezone(timedelta(hours=14)))
FAR_FUTURE = datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))


def test_an_instant_no_zone_can_hold_reads_as_it_was_recorded():
    """Year 1 at +14:00 is before the first instant Python can put in UTC: such a moment (stored
    before the range check) keeps its own offset rather than failing the page that shows it."""
    for zone in ZONES:
        times = LocalTimes(zone)
        assert local_time(FAR_PAST, zone) == (
            "0001-01-01T00:00:00+14:00",
            "Mon 1 Jan 0001, 00:00:00 UTC+14:00",
        )
        assert times(FAR_PAST) == local_time(FAR_PAST, zone)
        assert local_time(FAR_FUTURE, zone)[0] == "9999-12-31T23:59:59.999999-14:00"
        assert times(FAR_FUTURE) == local_time(FAR_FUTURE, zone)
        assert in_zone(FAR_PAST, zone) == FAR_PAST
    chicago = ZoneInfo("America/Chicago")
    assert in_zone(datetime(2026, 11, 23, 15, tzinfo=UTC), chicago).tzname() == "CST"
