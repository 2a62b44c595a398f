"""The district's recovery picture in the JSON API."""

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency

from domain.account import Account
from service.recovery.picture import Recovery
from web.access.auth import viewer_of
from web.access.guards import requires
from web.errors import READ_ERRORS


@get(
    "/api/v1/recovery",
    summary="Recovery across schools, without names: people by tier, check-ins, referrals",
    description=(
        "Counts only, over the incidents (open or closed) you see whole: a confidential case "
        "you may only count adds nothing. No pseudonym or name is in the answer.\n\n"
        "`by_school[]`: `school`; `tiers` (`1`, `2`, `3`) and `not_triaged`, people on the "
        "school's incidents by their tier there; `people`; `by_incident[]` the same per "
        "incident (`incident` is its reference); `open_referrals`; `overdue_check_ins`; "
        "`calendar` the school calendar its days are counted on (`loaded` false: none is "
        "loaded, Monday to Friday). `totals` the same across the district, with "
        "`check_ins_due` (due by now) and `check_ins_done`. `weeks[]`: week by week (`week_of` "
        "a Monday), the check-ins `due` that week by now, `done` and `missed`.\n\n"
        "A count of people from 1 to 9 is `null` (hidden, so no one can be recognised), and so "
        "is any count that would let a hidden one be worked out from the others in its row or "
        "column and their total (`small_cell` is the threshold): `null` may stand for 10 or "
        "more. Check-ins count the team's work and are never hidden. "
        "`confidential_left_out` says whether some incident you may only count is left out."
    ),
    guards=[requires("view_summary")],
    sync_to_thread=True,
    tags=["recovery"],
    responses=READ_ERRORS,
)
def recovery_api(
    request: Request, signed_in_as: NamedDependency[Account], recovery: NamedDependency[Recovery]
) -> dict[str, Any]:
    return recovery.district(viewer_of(request, signed_in_as))


RECOVERY_API_HANDLERS = [recovery_api]
