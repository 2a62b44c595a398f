"""The auditor's JSON API: an incident's timeline (JSON or CSV) and what changed between versions.

Read-only, like every GET of the API; errors go through web/errors.py like the rest (400 for
malformed input naming the field, 404 for an unknown incident, 422 for a version beyond the
stream or an unknown kind of event).
"""

from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Response, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery

from service.incidents.application import Steady
from service.incidents.diff import diff_incident
from service.timelines.reading import EVENT_KINDS, Timelines, select, timeline_csv
from web.access.guards import requires
from web.api_fields import in_query, one_of, whole
from web.dependencies import NoteView
from web.errors import ITEM_ERRORS

TAGS = ["audit"]


def timeline_filters(
    task: FromQuery[str | None] = None,
    role: FromQuery[str | None] = None,
    phase: FromQuery[str | None] = None,
    kind: Annotated[str | None, in_query(one_of(EVENT_KINDS, nullable=True))] = None,
) -> dict[str, str | None]:
    """The timeline's filters, JSON or CSV alike: a task id, the actor's role, a phase, a kind
    of event (its type)."""
    return {"task": task, "role": role, "phase": phase, "kind": kind}


TIMELINE = {
    "dependencies": {"filters": Provide(timeline_filters, sync_to_thread=False)},
    "sync_to_thread": True,
    "tags": TAGS,
    "responses": ITEM_ERRORS,
    "guards": [requires("view_timeline")],
}


@get("/api/v1/incidents/{ref:str}/timeline", **TIMELINE)
def incident_timeline(
    timelines: NamedDependency[Timelines],
    note_view: NamedDependency[NoteView],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    filters: NamedDependency[dict[str, str | None]],
) -> dict[str, Any]:
    """Every event of the incident in order, in plain language, in the district's time zone.
    Filters: a task id, the actor's role, a phase, a kind of event (its type)."""
    note_view(ref, "timeline")
    entries = timelines.timeline(ref, zone=zone, **filters)
    return {"entries": entries}


@get(
    "/api/v1/incidents/{ref:str}/timeline.csv",
    media_type="text/csv",  # so the document says CSV, not JSON
    **TIMELINE,
)
def incident_timeline_csv(
    timelines: NamedDependency[Timelines],
    note_view: NamedDependency[NoteView],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    filters: NamedDependency[dict[str, str | None]],
) -> Response[str]:
    """The timeline as CSV (the same filters), to open in a spreadsheet."""
    note_view(ref, "timeline")
    whole = timelines.told(ref, zone)
    entries = select(whole.entries, **filters)
    filename = f"{whole.reference}-timeline.csv"
    return Response(
        timeline_csv(entries),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@get(
    "/api/v1/incidents/{ref:str}/diff",
    sync_to_thread=True,
    tags=TAGS,
    responses=ITEM_ERRORS,
    guards=[requires("replay")],
)
def incident_diff(
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    ref: FromPath[str],
    # Required whole numbers; a version the incident does not have (0, or beyond) is a 422.
    from_: Annotated[int, in_query(whole(1), name="from", description="a version")],
    to: Annotated[int, in_query(whole(1), description="a version")],
) -> dict[str, Any]:
    """What changed between version `from` and version `to` (either may be the later one):
    fields, tasks and notes per id, and the events in between."""
    note_view(ref, "replay")
    return diff_incident(steady, ref, from_, to)


AUDIT_HANDLERS = [incident_timeline, incident_timeline_csv, incident_diff]
