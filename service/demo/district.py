"""Seeding the whole demo district, in the order its parts need: accounts and stand-ins (the
demo's playbooks hand Eastside its tasks), the calendar (school-day due dates count on it), the
incidents, then the people on them (their check-ins count on the calendar too), then the help
requests from the public help page."""

from datetime import datetime

from service.bootstrap import Parts
from service.demo.accounts import seed_demo_accounts, seed_demo_stand_ins
from service.demo.calendar import seed_demo_calendar
from service.demo.clock import DemoClock
from service.demo.help_requests import seed_demo_help_requests
from service.demo.incidents import INCIDENTS, seed_demo
from service.demo.people import seed_demo_people


def seed_demo_district(parts: Parts, clock: DemoClock, now: datetime) -> list[str]:
    """Seeds what is missing of the demo district as it stands at `now`; returns the
    references of its incidents. `clock` must be the application's clock."""
    if parts.steady.clock is not clock:
        raise ValueError("the demo seeds its past with the application's own clock")
    seed_demo_accounts(parts.accounts)
    seed_demo_stand_ins(parts.accounts)
    seed_demo_calendar(parts.calendars)
    references = seed_demo(parts.steady, now, parts.settings.zone())
    seed_demo_people(
        parts, clock, dict(zip([d.key for d in INCIDENTS], references, strict=True)), now
    )
    seed_demo_help_requests(parts.help_requests, clock, now)
    return references
