"""Instants told in the district's time: an ISO form for machines and words for people."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo


def in_zone(when: datetime, zone: ZoneInfo) -> datetime:
    """The instant in the district's time; one that no zone can hold (year 1 at +14:00, stored
    before the range check of domain.moments) stays in the offset it was recorded with, so
    that a page showing it still answers."""
    try:
        return when.astimezone(zone)
    except OverflowError:
        return when


def local_time(when: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """(ISO in district time, "Mon 23 Nov 2026, 14:02:31 CST")."""
    local = in_zone(when, zone)
    # One strftime, the day unpadded; the year in four digits even before 1000 (as ISO has it).
    text = local.strftime("%a {} %b {:04d}, %H:%M:%S %Z").format(local.day, local.year)
    return local.isoformat(), text


DayWords = tuple[str, str, str, str]  # ISO date, ISO offset, "Mon 23 Nov 2026", "CST"


class LocalTimes:
    """local_time() for the many instants of one timeline, in one zone.

    strftime and isoformat were a third of the cost of telling a long timeline; here each local
    day (with its offset and zone name, so a change of clocks starts a new one) is put into
    words once, and each instant adds only its clock time. The result is local_time()'s, to the
    character."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._days: dict[tuple[date, timedelta | None, str | None], DayWords] = {}

    def __call__(self, when: datetime) -> tuple[str, str]:
        local = in_zone(when, self.zone)
        key = (local.date(), local.utcoffset(), local.tzname())
        day = self._days.get(key)
        if day is None:
            day = self._days[key] = _day_words(local)
        iso_date, iso_offset, day_text, zone_name = day
        clock = local.time().isoformat()  # "14:02:31", or "14:02:31.000250"
        return f"{iso_date}T{clock}{iso_offset}", f"{day_text}, {clock[:8]} {zone_name}"


def _day_words(local: datetime) -> DayWords:
    whole = local.replace(microsecond=0).isoformat()  # "YYYY-MM-DDTHH:MM:SS" then the offset
    return (
        whole[:10],
        whole[19:],
        local.strftime("%a {} %b {:04d}").format(local.day, local.year),
        local.strftime("%Z"),
    )
