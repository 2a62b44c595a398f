"""Reading an iCalendar file's text into a school calendar: the `icalendar` library parses it,
`recurring-ical-events` expands recurring events with their exceptions (RRULE, RDATE, EXDATE,
RECURRENCE-ID), and domain/school_calendar.py decides what the entries mean. Text in, calendar
out: nothing here reads a file or the network."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

import icalendar
import recurring_ical_events

from domain.school_calendar import (
    CalendarEntry,
    CalendarInvalid,
    LoadedCalendar,
    school_calendar,
)

MAX_BYTES = 2_000_000  # a district's year is a few kilobytes; a huge file is a mistake
# Recurring events without an end are expanded this far past the calendar's last dated event.
HORIZON = timedelta(days=400)
MAX_SPAN = timedelta(days=6 * 366)


def read_calendar(text: str, *, name: str = "") -> LoadedCalendar:
    """The school calendar an .ics file describes. `name` is used when the file gives none
    (X-WR-CALNAME); refused with CalendarInvalid saying what is wrong with the file."""
    if len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise CalendarInvalid(
            f"the calendar file is larger than {MAX_BYTES // 1_000_000} MB: export only the "
            "school years you need"
        )
    if "BEGIN:VCALENDAR" not in text[:2000].upper():
        raise CalendarInvalid(
            "this is not an iCalendar file: it must begin with BEGIN:VCALENDAR (export the "
            "district calendar as .ics, or give its iCalendar address)"
        )
    try:
        calendar = icalendar.Calendar.from_ical(text)
        entries = list(_entries(calendar))
    except CalendarInvalid:
        raise
    except (ValueError, KeyError, TypeError, recurring_ical_events.InvalidCalendar) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreadable"
        raise CalendarInvalid(
            f"the calendar file cannot be read as iCalendar: {reason[:300]}"
        ) from None
    given = str(calendar.get("X-WR-CALNAME", "")).strip()
    return school_calendar(given or name, entries)


def _entries(calendar: icalendar.Calendar) -> Iterable[CalendarEntry]:
    events = list(calendar.walk("VEVENT"))
    starts = [_day(e.get("DTSTART").dt) for e in events if e.get("DTSTART") is not None]
    if not starts:
        return
    first = min(starts)
    last = min(max(starts) + HORIZON, first + MAX_SPAN)
    for occurrence in recurring_ical_events.of(calendar).between(first, last):
        start = occurrence.get("DTSTART")
        if start is None:
            continue
        all_day = not isinstance(start.dt, datetime)
        begins = _day(start.dt)
        end = occurrence.get("DTEND")
        ends = _day(end.dt) if end is not None else begins + timedelta(days=1)
        yield CalendarEntry(
            summary=str(occurrence.get("SUMMARY", "")),
            categories=tuple(_categories(occurrence.get("CATEGORIES"))),
            start=begins,
            end=ends if all_day else begins + timedelta(days=1),
            all_day=all_day,
        )


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _categories(value: Any) -> Iterable[str]:
    """CATEGORIES may appear several times, each with several values."""
    for item in value if isinstance(value, list) else [value] if value is not None else []:
        yield from (str(c) for c in getattr(item, "cats", [item]))
