"""The page for opening an incident: the form, with the district's schools and the playbooks
that fit each kind. The form posts to the API (POST /api/v1/incidents)."""

from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency

from service.accounts.service import Accounts
from service.incidents.application import Steady
from web.incidents.schools import district_schools
from web.rendering import context, page, page_route

SEVERITY_HINTS = {
    1: "life safety at risk, or several schools affected",
    2: "serious harm or loss; a whole school affected",
    3: "some students or staff affected",
    4: "contained; watch and follow up",
}


@page_route("/incidents/new", "new_incident", "open_incident")
def new_incident(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    now = steady.clock().astimezone(zone)
    playbooks = [
        {"id": p.id, "title": p.title, "kinds": list(p.kinds), "summary": p.summary}
        for p in steady.playbooks.all()
    ]
    return page(
        "new_incident.html",
        context(
            request,
            "Open an incident",
            schools=district_schools(accounts),
            severity_hints=SEVERITY_HINTS,
            playbooks=playbooks,
            now_local=now.strftime("%Y-%m-%dT%H:%M"),
            zone_name=now.tzname(),
        ),
    )


OPENING_HANDLERS = [new_incident]
