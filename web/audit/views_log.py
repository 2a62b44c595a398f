"""The log of who viewed an incident, for auditors: JSON at /api/v1/incidents/{ref}/views and a
page at /incidents/{ref}/views. Only those who may view_audit_log (auditors) see either."""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.errors import DomainError
from domain.viewing import SURFACES
from service.incidents.application import Steady
from service.timelines.reading import local_time
from service.views_log.recording import RecordedView, ViewLog, select_views
from web.access.auth import abilities
from web.access.guards import requires
from web.api_fields import in_query, one_of
from web.audit.shared import audit_nav
from web.errors import ITEM_ERRORS
from web.rendering import context, page, page_route, role_label, who

AUDIT_LOG = "view_audit_log"


@get(
    "/api/v1/incidents/{ref:str}/views",
    sync_to_thread=True,
    tags=["audit"],
    responses=ITEM_ERRORS,
    guards=[requires(AUDIT_LOG)],
)
def incident_views(
    view_log: NamedDependency[ViewLog],
    ref: FromPath[str],
    person: FromQuery[str | None] = None,
    role: FromQuery[str | None] = None,
    surface: Annotated[str | None, in_query(one_of(SURFACES, nullable=True))] = None,
) -> dict[str, Any]:
    """Who viewed the incident, newest first: each person once per surface (page, api, export,
    timeline, replay, report) per window, at the first time they viewed it in that window.
    Filters: a username, a role (acted in or held), a surface."""
    found = view_log.viewings(ref)
    views = select_views(found.views, person=person, role=role, surface=surface)
    return {
        "incident": {"id": str(found.incident_id), "reference": found.reference},
        "window_minutes": int(view_log.window.total_seconds() // 60),
        "views": [v.as_dict() for v in views],
    }


def _row(view: RecordedView, zone: ZoneInfo) -> dict[str, Any]:
    at_iso, at_text = local_time(view.at, zone)
    start, end = view.window_start.astimezone(zone), view.window_end.astimezone(zone)
    return {
        "person": view.user,
        "role_label": role_label(view.role),
        "roles": ", ".join(role_label(r) for r in view.roles if r != view.role),
        "organisation": view.organisation,
        "surface": view.surface,
        "surface_label": SURFACES.get(view.surface, view.surface),
        "at": at_iso,
        "at_text": at_text,
        "window_text": f"{start:%H:%M} to {end:%H:%M}",
    }


@page_route("/incidents/{ref:str}/views", "incident_views_page", AUDIT_LOG)
def views_page(
    request: Request,
    steady: NamedDependency[Steady],
    zone: NamedDependency[ZoneInfo],
    view_log: NamedDependency[ViewLog],
    ref: FromPath[str],
    person: Annotated[str | None, QueryParameter(name="person")] = None,
    role: Annotated[str | None, QueryParameter(name="role")] = None,
    surface: Annotated[str | None, QueryParameter(name="surface")] = None,
) -> Response:
    incident = steady.incident(ref)
    found = view_log.viewings(ref)
    filters = {
        "person": (person or "").strip(),
        "role": (role or "").strip(),
        "surface": (surface or "").strip(),
    }
    error = ""
    try:
        views = select_views(found.views, **filters)
    except DomainError:
        error = f"There is no surface called “{filters['surface']}”: choose one from the list."
        filters["surface"] = ""
        views = select_views(found.views, **filters)
    roles = dict.fromkeys(r for v in found.views for r in (v.role, *v.roles))
    return page(
        "views.html",
        context(
            request,
            f"{found.reference}: who viewed it",
            reference=found.reference,
            incident_title=incident.title,
            audit_nav=audit_nav(found.reference, "views", abilities(who(request))),
            window_minutes=int(view_log.window.total_seconds() // 60),
            entries=[_row(v, zone) for v in views],
            total=len(found.views),
            filters=filters,
            filtered=any(filters.values()),
            filter_error=error,
            person_options=sorted({v.user for v in found.views}),
            role_options=[{"value": r, "label": role_label(r)} for r in roles],
            surface_options=[{"value": k, "label": label} for k, label in SURFACES.items()],
        ),
        status_code=422 if error else 200,
    )


VIEWS_LOG_HANDLERS = [incident_views, views_page]
