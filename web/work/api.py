"""My work and the summary in the JSON API."""

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, get
from litestar.di import NamedDependency

from domain.account import Account
from service.incidents.application import Steady
from service.work.holders import RoleHolders
from web.access.guards import requires
from web.errors import READ_ERRORS
from web.work.reading import summary_of, work_of

READ = {"sync_to_thread": True, "tags": ["my work"], "responses": READ_ERRORS}


@get(
    "/api/v1/my-work",
    summary="Your open tasks across the open incidents you see, by when they fall due",
    description=(
        "Tasks assigned to you by name, owned by (or assigned to) one of your positions, or, "
        "for a partner's people, assigned to your organisation; in the groups overdue, today, "
        "this_week (to Sunday), later and no_due_date, by the district's local days. "
        "`next_statuses` lists the statuses you may move each task to (POST .../status). "
        "`no_one_holds` (for crisis leads) lists, by role, the open tasks whose role no one "
        "holds and no one has by name."
    ),
    guards=[requires("view_board")],
    **READ,
)
def my_work_api(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    role_holders: NamedDependency[RoleHolders],
    zone: NamedDependency[ZoneInfo],
) -> dict[str, Any]:
    return work_of(request, signed_in_as, steady, role_holders, zone)


@get(
    "/api/v1/summary",
    summary="Totals across schools: open incidents, overdue tasks, roles no one holds",
    description=(
        "Counts only. A confidential case you may not see is counted per school under "
        "`confidential` and in nothing else."
    ),
    guards=[requires("view_summary")],
    **READ,
)
def summary_api(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    role_holders: NamedDependency[RoleHolders],
) -> dict[str, Any]:
    return summary_of(request, signed_in_as, steady, role_holders)


WORK_API_HANDLERS = [my_work_api, summary_api]
