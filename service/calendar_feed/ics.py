"""A person's calendar feed as iCalendar (RFC 5545), built with the icalendar library, in the
form Google Calendar and Outlook subscribe to: METHOD:PUBLISH, a name (X-WR-CALNAME), times in
UTC (so no VTIMEZONE is needed), and per item a UID that stays the same from one reading to the
next (derived from the item's key, or its link), a DTSTAMP, a start and a length.

An item says what its source said (pseudonyms and references only) and links to Steady; the
feed holds only items with a due time."""

import hashlib
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from icalendar import Calendar, Event

from service.outbox.digest import DigestItem

PRODID = "-//Steady//Crisis response coordination//EN"
LENGTH = timedelta(minutes=30)  # how long a due item shows in the calendar


def uid_of(item: DigestItem, host: str) -> str:
    identity = item.key or item.link
    return f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}@{host}"


def feed_ics(items: Sequence[DigestItem], *, name: str, public_url: str, now: datetime) -> bytes:
    host = urlsplit(public_url).hostname or "steady"
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-published-ttl", "PT1H")  # how often a client should read it again
    stamp = now.astimezone(UTC).replace(microsecond=0)
    for item in items:
        if item.due is None:
            continue
        due = item.due.astimezone(UTC)
        event = Event()
        event.add("uid", uid_of(item, host))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + LENGTH)
        event.add("summary", f"{'DRILL: ' if item.drill else ''}{item.incident_ref} {item.what}")
        event.add("url", f"{public_url}{item.link}")
        event.add("description", f"Open it in Steady: {public_url}{item.link}")
        calendar.add_component(event)
    return calendar.to_ical()
