"""The auditor's JSON API: an incident's timeline (JSON or CSV) and what changed between versions.

Read-only, like every GET of the API; errors go through web/errors.py like the rest (400 for
malformed input naming the field, 404 for an unknown incident, 422 for a version beyond the
stream or an unknown kind of event).
"""

from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.numbers import parse_whole_number
from service.incidents.diff import diff_incident
from service.timelines.reading import select, timeline, timeline_csv, told
from web.audit.noting import record_view
from web.auth import allow
from web.errors import ITEM_ERRORS, BadInput
from web.incidents.api import steady_of

TAGS = ["audit"]


def whole_number(value: str | None, field: str) -> int:
    if value is None or not value.strip():
        raise BadInput(f"{field}: give a version number, e.g. {field}=3", field)
    number = parse_whole_number(value)
    if number is None:
        raise BadInput(f"{field}: {value!r} is not a whole number", field)
    return number


@get("/api/v1/incidents/{ref:str}/timeline", sync_to_thread=True, tags=TAGS, responses=ITEM_ERRORS)
def incident_timeline(
    request: Request,
    ref: FromPath[str],
    task: FromQuery[str | None] = None,
    role: FromQuery[str | None] = None,
    phase: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
) -> dict[str, Any]:
    """Every event of the incident in order, in plain language, in the district's time zone.
    Filters: a task id, the actor's role, a phase, a kind of event (its type)."""
    allow(request, "view_timeline", ref=ref)
    record_view(request, ref, "timeline")
    zone = request.app.state.settings.zone()
    entries = timeline(
        steady_of(request), ref, zone=zone, task=task, role=role, phase=phase, kind=kind
    )
    return {"entries": entries}


@get(
    "/api/v1/incidents/{ref:str}/timeline.csv",
    sync_to_thread=True,
    tags=TAGS,
    media_type="text/csv",  # so the document says CSV, not JSON
    responses=ITEM_ERRORS,
)
def incident_timeline_csv(
    request: Request,
    ref: FromPath[str],
    task: FromQuery[str | None] = None,
    role: FromQuery[str | None] = None,
    phase: FromQuery[str | None] = None,
    kind: FromQuery[str | None] = None,
) -> Response[str]:
    """The timeline as CSV (the same filters), to open in a spreadsheet."""
    allow(request, "view_timeline", ref=ref)
    record_view(request, ref, "timeline")
    zone = request.app.state.settings.zone()
    whole = told(steady_of(request), ref, zone)
    entries = select(whole.entries, task=task, role=role, phase=phase, kind=kind)
    filename = f"{whole.reference}-timeline.csv"
    return Response(
        timeline_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get("/api/v1/incidents/{ref:str}/diff", sync_to_thread=True, tags=TAGS, responses=ITEM_ERRORS)
def incident_diff(
    request: Request,
    ref: FromPath[str],
    from_: Annotated[str | None, QueryParameter(name="from", description="a version")] = None,
    to: Annotated[str | None, QueryParameter(description="a version")] = None,
) -> dict[str, Any]:
    """What changed between version `from` and version `to` (either may be the later one):
    fields, tasks and notes per id, and the events in between."""
    allow(request, "replay", ref=ref)
    record_view(request, ref, "replay")
    start, end = whole_number(from_, "from"), whole_number(to, "to")
    return diff_incident(steady_of(request), ref, start, end)


AUDIT_HANDLERS = [incident_timeline, incident_timeline_csv, incident_diff]
