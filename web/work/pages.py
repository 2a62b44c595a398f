"""The My work page and the district summary page."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency

from domain.account import Account
from service.incidents.application import Steady
from service.work.holders import RoleHolders
from web.access.auth import partner_organisation
from web.rendering import context, format_time, page, page_route
from web.work.reading import summary_of, work_of


def shown(row: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """A row as the page draws it: its due time in words, and its buttons."""
    statuses = row.get("next_statuses", [])
    return {
        **row,
        "due": format_time(row["due_at"], zone, now),
        "may_start": row["status"] in ("todo", "blocked") and "in_progress" in statuses,
        "may_finish": "done" in statuses,
    }


@page_route("/my-work", "my_work", "view_board")
def my_work_page(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    role_holders: NamedDependency[RoleHolders],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    work = work_of(request, signed_in_as, steady, role_holders, zone)
    now = datetime.fromisoformat(work["as_of"])
    groups = [{**g, "tasks": [shown(r, zone, now) for r in g["tasks"]]} for g in work["groups"]]
    unheld = [
        {**r, "tasks": [shown(t, zone, now) for t in r["tasks"]]} for r in work["no_one_holds"]
    ]
    return page(
        "my_work.html",
        context(
            request,
            "My work",
            groups=groups,
            total=work["total"],
            partner=partner_organisation(signed_in_as) is not None,
            unheld=unheld,
            unheld_total=sum(len(r["tasks"]) for r in unheld),
            position=work["position"],
            rendered=now.astimezone(zone).strftime("%H:%M"),
        ),
    )


@page_route("/summary", "summary", "view_summary")
def summary_page(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    role_holders: NamedDependency[RoleHolders],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    summary = summary_of(request, signed_in_as, steady, role_holders)
    now = datetime.fromisoformat(summary["as_of"])
    return page(
        "summary.html",
        context(
            request,
            "Across schools",
            summary=summary,
            position=steady.last_position(),
            rendered=now.astimezone(zone).strftime("%H:%M"),
        ),
    )


WORK_PAGES = [my_work_page, summary_page]
