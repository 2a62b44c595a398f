"""The My follow-ups page: the person's check-ins across incidents, recorded in two taps, kept
current by the live feed's follow-up events (web/static/js/my-follow-ups.js)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency

from domain.account import Account
from service.calendars.service import Calendars, schools_of
from service.follow_ups.due import FollowUpsDue
from service.incidents.application import Steady
from web.access.auth import partner_organisation
from web.follow_ups.reading import follow_ups_of
from web.incidents.incident_page import calendar_line
from web.rendering import context, format_time, page, page_route


def shown(row: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    return {**row, "when": format_time(row["due"], zone, now)}


@page_route("/my-follow-ups", "my_follow_ups", "record_check_in")
def my_follow_ups_page(
    request: Request,
    signed_in_as: NamedDependency[Account],
    follow_ups_due: NamedDependency[FollowUpsDue],
    clock: NamedDependency[Callable[[], datetime]],
    zone: NamedDependency[ZoneInfo],
    steady: NamedDependency[Steady],
    calendars: NamedDependency[Calendars],
) -> Response:
    now = clock()
    # Where the page's live feed starts: read before the follow-ups, so nothing falls between
    # (a change in both is only drawn twice).
    live_from = steady.last_position()
    found = follow_ups_of(signed_in_as, follow_ups_due, now, zone)
    groups = [
        {**g, "check_ins": [shown(r, zone, now) for r in g["check_ins"]]} for g in found["groups"]
    ]
    everyone = "crisis-lead" in signed_in_as.roles
    return page(
        "my_follow_ups.html",
        context(
            request,
            "My follow-ups",
            groups=groups,
            total=found["total"],
            overdue=found["overdue"],
            outcomes=found["outcomes"],
            position=live_from,
            partner=partner_organisation(signed_in_as) is not None,
            everyone=everyone,
            rendered=now.astimezone(zone).strftime("%H:%M"),
            # The person's own schools' calendar (the district's when they have none).
            school_calendar=calendar_line(calendars.calendar_for(schools_of(signed_in_as))),
        ),
    )


FOLLOW_UPS_PAGES = [my_follow_ups_page]
