"""The incident page's "People affected" section: each person the viewer may see, by pseudonym
(kind, school, grade, tier, referrals), and whether they may record one. Never a name."""

from typing import Any

from litestar import Request

from domain.account import Account
from domain.incident import Incident
from domain.person_reference import GRADES, KINDS
from service.access.need_to_know import Sight
from service.access.permissions import scopes
from service.people.service import People
from web.access.auth import viewer_of
from web.accounts.forms import take_flash


def people_section(request: Request, account: Account, incident: Incident) -> dict[str, Any]:
    people: People = request.app.state.people
    if account.disabled or not scopes(account.roles, "view_people"):
        return {"shown": False}
    viewer = viewer_of(request, account)
    rows = []
    for person in people.on_incident(incident.reference):
        if people.sight_of(viewer, person) is Sight.NONE:
            continue
        view = people.view(viewer, person)
        here = next(
            (i for i in view.get("incidents", []) if i["incident"] == incident.reference), None
        )
        rows.append(
            {
                "reference": person.reference,
                "kind": view.get("kind", ""),
                "school": view.get("school", ""),
                "grade": view.get("grade") or "",
                "tier": here["tier"] if here else None,
                "referrals": here["referrals"] if here else view.get("referrals", []),
                "erased": view.get("identity", {}).get("erased", False),
            }
        )
    may_record = bool(scopes(account.roles, "record_people")) and not incident.closed
    return {
        "shown": True,
        "flash": take_flash(request) if request.method == "GET" else "",
        "rows": rows,
        "may_record": may_record,
        "may_triage": bool(scopes(account.roles, "triage")) and not incident.closed,
        "kinds": KINDS,
        "grades": GRADES,
        "schools": list(incident.schools),
    }
