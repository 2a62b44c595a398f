"""The demo district's school calendar (calendar-2026-27.ics, beside this module): Riverside
USD's 2026-27 year, first day Aug 17 2026, Thanksgiving, winter break Dec 21 to Jan 1, MLK day,
spring break, last day May 28 2027, and the first day of 2027-28 on Aug 16 2027. Imported once:
seeding again adds nothing while the district's calendar is this file."""

from pathlib import Path

from service.calendars.service import Calendars
from service.demo.accounts import DEMO_ACTOR

DEMO_CALENDAR = Path(__file__).with_name("calendar-2026-27.ics")


def seed_demo_calendar(calendars: Calendars) -> None:
    text = DEMO_CALENDAR.read_text(encoding="utf-8")
    imported = calendars.steady.calendars_in_force.imported("district")
    if imported is not None and imported.text == text:
        return
    calendars.import_text(text, source=DEMO_CALENDAR.name, actor=DEMO_ACTOR)
