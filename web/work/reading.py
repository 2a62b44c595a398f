"""What My work and the summary show the signed-in person, for the pages and the API alike:
the service's queries over the board's open incidents, with this person's view of them."""

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request

from domain.account import Account
from service.access.permissions import scopes
from service.incidents.application import Steady
from service.work.holders import RoleHolders
from service.work.my_work import my_work, no_one_can_pick_up
from service.work.summary import district_summary
from web.access.auth import partner_organisation, viewer_of
from web.rendering import role_titles


def work_of(
    request: Request,
    account: Account,
    steady: Steady,
    role_holders: RoleHolders,
    zone: ZoneInfo,
) -> dict[str, Any]:
    position = steady.last_position()  # before reading: a later event is replayed, never lost
    now = steady.clock()
    incidents = steady.incidents()
    viewer = viewer_of(request, account)
    titles = role_titles(steady)
    organisation = partner_organisation(account)
    groups = my_work(account, viewer, organisation, incidents, titles=titles, now=now, zone=zone)
    # Only those who assign work see what no one holds: they are the ones who can fix it.
    unheld = (
        no_one_can_pick_up(
            account, viewer, incidents, role_holders.held(), titles=titles, now=now, zone=zone
        )
        if organisation is None and not account.disabled and scopes(account.roles, "assign_task")
        else []
    )
    return {
        "as_of": now.isoformat(),
        "position": position,
        "total": sum(len(g["tasks"]) for g in groups),
        "groups": groups,
        "no_one_holds": unheld,
    }


def summary_of(
    request: Request, account: Account, steady: Steady, role_holders: RoleHolders
) -> dict[str, Any]:
    return district_summary(
        viewer_of(request, account),
        steady.incidents(),
        role_holders.held(),
        titles=role_titles(steady),
        now=steady.clock(),
    )
