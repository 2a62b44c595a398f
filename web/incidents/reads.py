"""The incidents API's reads: the list, an incident now or as it stood, its events, the global
feed, and the auditor's export and hash-chain checks."""

from collections.abc import Callable
from datetime import datetime
from itertools import islice
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from domain.account import Account
from service.incidents.application import Steady
from service.incidents.as_json import RECENT_NOTES
from service.incidents.as_json import note_view as note_as_json
from service.incidents.export import export_incident
from service.incidents.integrity import verify_all, verify_incident
from service.sharing.feed import PartnerFeed
from web.access.auth import allow, partner_organisation
from web.access.guards import requires
from web.api_fields import MAX_WHOLE, MOMENT, in_query, moment
from web.dependencies import NoteView
from web.errors import ITEM_ERRORS, READ_ERRORS, RefusedInput
from web.incidents.access import (
    counted_confidential,
    incident_view_for,
    partner_events,
    summary_for,
    visible_events,
    visible_incidents,
)
from web.incidents.bodies import read_moment

READ = {"sync_to_thread": True, "responses": ITEM_ERRORS}
MAX_NOTES_PAGE = 500


class IncidentReadsController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]

    @get(
        "/{ref:str}",
        summary="An incident's current state",
        guards=[requires("view_incident")],
        **READ,
    )
    def show(
        self,
        steady: NamedDependency[Steady],
        note_view: NamedDependency[NoteView],
        signed_in_as: NamedDependency[Account],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        note_view(ref, "api")
        position = steady.last_position()
        incident = steady.incident(ref)
        view = incident_view_for(signed_in_as, incident, steady.clock(), recent_notes=RECENT_NOTES)
        return {**view, "position": position}

    @get(
        "/{ref:str}/events",
        summary="An incident's events with positions",
        guards=[requires("view_incident")],
        **READ,
    )
    def events(
        self,
        steady: NamedDependency[Steady],
        note_view: NamedDependency[NoteView],
        signed_in_as: NamedDependency[Account],
        partner_feed: NamedDependency[PartnerFeed],
        ref: FromPath[str],
    ) -> dict[str, Any]:
        note_view(ref, "api")
        events = steady.incident_events(ref)
        organisation = partner_organisation(signed_in_as)
        if organisation is not None:
            events = partner_events(partner_feed, organisation, events)
        return {"events": [e.as_dict() for e in events]}

    @get("/{ref:str}/state", summary="An incident as it stood at a version or moment", **READ)
    def state(
        self,
        request: Request,
        steady: NamedDependency[Steady],
        note_view: NamedDependency[NoteView],
        zone: NamedDependency[ZoneInfo],
        clock: NamedDependency[Callable[[], datetime]],
        ref: FromPath[str],
        version: Annotated[int | None, QueryParameter(ge=1, le=MAX_WHOLE)] = None,
        at: Annotated[str | None, in_query(moment(), description=MOMENT)] = None,
    ) -> dict[str, Any]:
        # Not a guard: which action it takes depends on the query.
        replaying = version is not None or at is not None
        account = allow(request, "replay" if replaying else "view_incident", ref=ref)
        note_view(ref, "replay" if replaying else "api")
        if version is not None and at is not None:
            # Well-formed each, but not together: the document cannot say so, the rules do.
            raise RefusedInput("give either version or at, not both", "version")
        if version is not None:
            incident = steady.incident_at_version(ref, version)
            as_of = incident.modified_on
        elif at is not None:
            as_of = read_moment(at, zone)
            assert as_of is not None
            incident = steady.incident_at_time(ref, as_of)
        else:
            incident = steady.incident(ref)
            as_of = clock()
        return {**incident_view_for(account, incident, as_of), "as_of": as_of.isoformat()}


# Not in the controller: Litestar refuses two controllers with a route on the same path, and
# IncidentCommandsController opens incidents at this one. Registered after it (web/app.py).
@get(
    "/api/v1/incidents",
    tags=["incidents"],
    sync_to_thread=True,
    summary="List incidents (open, or all), optionally by school",
    responses=READ_ERRORS,
    guards=[requires("view_board")],
)
def list_incidents(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    all: FromQuery[bool] = False,
    school: FromQuery[str | None] = None,
) -> dict[str, Any]:
    account = signed_in_as
    position = steady.last_position()
    now = steady.clock()
    incidents = steady.incidents(include_closed=all, school=school)
    summaries = [
        summary_for(account, i, now) for i in visible_incidents(request, account, incidents)
    ]
    # Confidential cases they may not see, as a count per school: nothing more.
    counted = counted_confidential(request, account, incidents)
    return {"incidents": summaries, "position": position, "confidential": counted}


# Not in the controller, as list_incidents: IncidentCommandsController adds notes at this path.
@get(
    "/api/v1/incidents/{ref:str}/notes",
    tags=["incidents"],
    summary="An incident's notes, oldest first, a page at a time",
    guards=[requires("view_incident")],
    **READ,
)
def incident_notes(
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    signed_in_as: NamedDependency[Account],
    ref: FromPath[str],
    offset: Annotated[int, QueryParameter(ge=0, description="notes to skip")] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_NOTES_PAGE)] = 100,
) -> dict[str, Any]:
    note_view(ref, "api")
    incident = steady.incident(ref)
    organisation = partner_organisation(signed_in_as)
    if organisation is None:
        page = islice(incident.notes.values(), offset, offset + limit)
        notes, total = [note_as_json(n) for n in page], len(incident.notes)
    else:
        shared = incident_view_for(signed_in_as, incident, steady.clock())["notes"]
        notes, total = shared[offset : offset + limit], len(shared)
    return {"notes": notes, "total": total, "offset": offset, "limit": limit}


AUDIT = {"sync_to_thread": True, "tags": ["audit"], "responses": ITEM_ERRORS}


@get("/api/v1/incidents/{ref:str}/export", guards=[requires("export")], **AUDIT)
def export(
    steady: NamedDependency[Steady], note_view: NamedDependency[NoteView], ref: FromPath[str]
) -> Response[dict[str, Any]]:
    """The complete event stream, with hashes; `steady import-check` verifies a saved copy."""
    note_view(ref, "export")
    document = export_incident(steady, ref, exported_at=steady.clock())
    filename = f"{document['incident']['reference']}-events.json"
    return Response(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@get("/api/v1/incidents/{ref:str}/verify", guards=[requires("verify")], **AUDIT)
def verify_one(steady: NamedDependency[Steady], ref: FromPath[str]) -> dict[str, Any]:
    """Whether the incident's hash chain is intact, or where it first breaks."""
    return verify_incident(steady, steady.find(ref)).as_dict()


@get(
    "/api/v1/verify",
    sync_to_thread=True,
    tags=["audit"],
    responses=READ_ERRORS,
    guards=[requires("verify")],
)
def verify_every(
    request: Request, steady: NamedDependency[Steady], signed_in_as: NamedDependency[Account]
) -> dict[str, Any]:
    # Not the incidents that do not exist for them: a confidential case's reference is not
    # theirs either. A stream too broken to fold stays listed: that is what verify is for.
    every = steady.board.incidents()
    seen = {i.id for i in visible_incidents(request, signed_in_as, every)}
    unseen = {i.id for i in every} - seen
    checks = [c for c in verify_all(steady) if c.incident_id not in unseen]
    return {"intact": all(c.intact for c in checks), "incidents": [c.as_dict() for c in checks]}


@get(
    "/api/v1/events",
    sync_to_thread=True,
    tags=["feed"],
    summary="The global event feed",
    responses=READ_ERRORS,
    guards=[requires("view_board")],
)
def global_feed(
    request: Request,
    steady: NamedDependency[Steady],
    signed_in_as: NamedDependency[Account],
    partner_feed: NamedDependency[PartnerFeed],
    # Positions are 64-bit in the store, and every JSON reader keeps 2**53 - 1 exactly.
    after: Annotated[int, QueryParameter(ge=0, le=MAX_WHOLE)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    events = steady.events_after(after, limit)
    last = events[-1].position if events else after
    events = visible_events(request, signed_in_as, events, steady, partner_feed)
    return {"events": [e.as_dict() for e in events], "last_position": last}


READ_HANDLERS = [
    IncidentReadsController,
    list_incidents,
    incident_notes,
    global_feed,
    export,
    verify_one,
    verify_every,
]
