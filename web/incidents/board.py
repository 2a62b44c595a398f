"""The board: every incident the person may see, as cards, and one card on its own for the live
script to swap in after a change."""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from domain.account import Account
from domain.errors import NotFound
from domain.incident import Incident
from domain.kinds import KINDS
from service.access.need_to_know import Sight, sight
from service.access.permissions import scopes
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.recovery.picture import Recovery
from web.access.auth import allow, signed_in, viewer_of
from web.incidents.access import counted_confidential, summary_for, visible_incidents
from web.incidents.schools import known_schools
from web.rendering import context, format_time, not_found, page, page_route


def card(
    summary: dict[str, Any], zone: ZoneInfo, now: datetime, recovery: dict[str, int] | None = None
) -> dict[str, Any]:
    return {
        **summary,
        "recovery": recovery,
        "kind_label": KINDS.get(summary["kind"], summary["kind"]),
        "occurred": format_time(summary["occurred_at"], zone, now),
        "last_activity": format_time(summary["last_activity_at"], zone, now),
        "phase_label": summary["phase"].capitalize(),
    }


def recovery_progress(
    request: Request, account: Account, recovery: Recovery, incidents: list[Incident]
) -> dict[str, dict[str, int]]:
    """Each incident's recovery progress, for the cards of those this person sees whole: not
    a partner's share, and not a confidential case they may only count."""
    viewer = viewer_of(request, account)
    whole = [i for i in incidents if sight(viewer, i) is Sight.WHOLE]
    return {ref: p.as_dict() for ref, p in recovery.progress(whole).items()}


def account_admin_only(account: Account | None) -> bool:
    """An account administrator's home is the accounts page: they see no incidents."""
    return (
        account is not None
        and not account.disabled
        and not scopes(account.roles, "view_board")
        and scopes(account.roles, "manage_accounts")
    )


@page_route("/", "board")
def board(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    recovery: NamedDependency[Recovery],
    zone: NamedDependency[ZoneInfo],
    school: Annotated[str | None, QueryParameter(name="school")] = None,
    show_all: Annotated[bool, QueryParameter(name="all")] = False,
) -> Response:
    # Not a guard: an account administrator is sent to their own page, not refused.
    if account_admin_only(signed_in(request)):
        return Redirect("/admin/accounts", status_code=HTTP_303_SEE_OTHER)
    account = allow(request, "view_board")
    position = steady.last_position()  # before reading: a later event is replayed, never lost
    now = steady.clock()
    school = (school or "").strip() or None
    listed = steady.incidents(include_closed=show_all, school=school)
    incidents = visible_incidents(request, account, listed)
    progress = recovery_progress(request, account, recovery, incidents)
    cards = [
        card(summary_for(account, i, now), zone, now, progress.get(i.reference)) for i in incidents
    ]
    # Open before closed, most severe first, then the newest. Not by last activity: cards that
    # jump about under someone's finger on every update are worse than a stable order.
    cards.sort(key=lambda c: c["occurred_at"], reverse=True)
    cards.sort(key=lambda c: (c["status"] == "closed", c["severity"]))
    everyone = steady.incidents(include_closed=True) if school or not show_all else listed
    everyone = visible_incidents(request, account, everyone)
    return page(
        "board.html",
        context(
            request,
            "Board",
            cards=cards,
            position=position,
            school=school or "",
            show_all=show_all,
            schools=known_schools(accounts, everyone),
            # Confidential cases they may not see: a count per school, nothing more.
            confidential=counted_confidential(request, account, listed),
            overdue_total=sum(c["tasks"]["overdue"] for c in cards),
            rendered=now.astimezone(zone).strftime("%H:%M"),
        ),
    )


@page_route("/incidents/{ref:str}/card", "board_card", "view_board")
def board_card(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    recovery: NamedDependency[Recovery],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    """One incident's card, for the board to refresh just that card after a change."""
    now = steady.clock()
    try:
        incident = steady.incident(ref)
    except NotFound as error:
        return not_found(request, str(error))
    progress = recovery_progress(request, signed_in_as, recovery, [incident])
    summary = summary_for(signed_in_as, incident, now)
    return page("_card.html", {"c": card(summary, zone, now, progress.get(incident.reference))})


BOARD_HANDLERS = [board, board_card]
