"""The recovery page: the district's picture of recovery across schools, in counts."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency

from domain.account import Account
from service.incidents.application import Steady
from service.recovery.picture import Recovery
from web.access.auth import viewer_of
from web.rendering import context, page, page_route


def week_label(week_of: str) -> str:
    """A week as the district reads it: "16 Nov"."""
    day = date.fromisoformat(week_of)
    return f"{day.day} {day.strftime('%b')}"


@page_route("/recovery", "recovery", "view_summary")
def recovery_page(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    recovery: NamedDependency[Recovery],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    picture = recovery.district(viewer_of(request, signed_in_as))
    now = datetime.fromisoformat(picture["as_of"])
    weeks = [{**w, "label": week_label(w["week_of"])} for w in picture["weeks"]]
    return page(
        "recovery.html",
        context(
            request,
            "Recovery across schools",
            r=picture,
            weeks=weeks,
            rendered=now.astimezone(zone).strftime("%H:%M"),
        ),
    )


RECOVERY_PAGES = [recovery_page]
