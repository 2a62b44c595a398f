"""The JSON API: each handler builds a command or query and hands it to the service."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from service.incidents.application import Steady
from service.incidents.as_json import playbook_view
from service.incidents.assignees import assignee_named
from service.incidents.execution import CommandOptions
from service.incidents.export import export_incident
from service.incidents.integrity import verify_all, verify_incident
from service.sharing.feed import PartnerFeed
from web.accounts.api import actor_of
from web.audit.noting import record_view
from web.auth import (
    account_of,
    allow,
    allow_note_correction,
    allow_task_update,
    partner_organisation,
    steady_of,
)
from web.errors import COMMAND_ERRORS, ITEM_ERRORS, READ_ERRORS, BadInput, error_responses
from web.guards import requires
from web.incidents.access import (
    counted_confidential,
    incident_view_for,
    note_audience,
    partner_events,
    summary_for,
    visible_events,
    visible_incidents,
)


def options(request: Request, based_on_version: int | None = None) -> CommandOptions:
    """What every incident command takes besides its own fields. For a partner, which events
    they may see: a conflict names only those (an unshared note is not theirs to hear of)."""
    chosen: CommandOptions = {
        "actor": actor_of(request),
        "idempotency_key": request.headers.get("idempotency-key") or None,
        "based_on_version": based_on_version,
    }
    organisation = partner_organisation(account_of(request))
    if organisation is not None:
        feed: PartnerFeed = request.app.state.partner_feed
        chosen["visible"] = lambda event: feed.view(organisation, event) is not None
    return chosen


@dataclass
class OpenIncident:
    title: str
    kind: str
    severity: int
    schools: list[str]
    summary: str = ""
    occurred_at: str | None = None  # ISO 8601; without an offset, district time


@dataclass
class ApplyPlaybook:
    playbook_id: str
    based_on_version: int | None = None


@dataclass
class AddTask:
    title: str
    owner_role: str
    phase: str | None = None
    instructions: str = ""
    due_at: str | None = None  # ISO 8601; without an offset, district time


@dataclass
class ChangeStatus:
    status: str
    reason: str = ""
    note: str = ""
    based_on_version: int | None = None


@dataclass
class Assign:
    kind: str
    name: str
    based_on_version: int | None = None


@dataclass
class AddNote:
    text: str
    task_id: str = ""
    # Partner organisations (ids) the incident is shared with that may read the note. A
    # partner's own notes are always shared with their organisation.
    share_with: list[str] | None = None


@dataclass
class CorrectNote:
    text: str
    reason: str


@dataclass
class ChangeSeverity:
    severity: int
    reason: str = ""
    based_on_version: int | None = None


@dataclass
class AdvancePhase:
    phase: str
    based_on_version: int | None = None


@dataclass
class CloseIncident:
    review_summary: str
    based_on_version: int | None = None


@dataclass
class ReopenIncident:
    reason: str
    phase: str | None = None


def moment(text: str | None, request: Request, field: str = "at") -> datetime | None:
    """An ISO 8601 moment; one given without an offset is read in the district's time zone."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            f"{field}: {text!r} is not a moment: write it like 2026-11-23T09:30 (district time) "
            "or 2026-11-23T09:30:00-06:00",
            field,
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=request.app.state.settings.zone())


class IncidentsController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]

    @get(
        "/",
        sync_to_thread=True,
        summary="List incidents (open, or all), optionally by school",
        responses=READ_ERRORS,
    )
    def list_incidents(
        self, request: Request, all: FromQuery[bool] = False, school: FromQuery[str | None] = None
    ) -> dict[str, Any]:
        account = allow(request, "view_board")
        steady = steady_of(request)
        position = steady.last_position()
        now = steady.clock()
        incidents = steady.incidents(include_closed=all, school=school)
        summaries = [
            summary_for(account, i, now) for i in visible_incidents(request, account, incidents)
        ]
        # Confidential cases they may not see, as a count per school: nothing more.
        counted = counted_confidential(request, account, incidents)
        return {"incidents": summaries, "position": position, "confidential": counted}

    @post(
        "/",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Open an incident",
        responses=error_responses(400, 401, 403, 409, 422, 503),
    )
    def open_incident(self, request: Request, data: JSONBody[OpenIncident]) -> dict[str, Any]:
        allow(request, "open_incident")
        result = steady_of(request).open_incident(
            title=data.title,
            kind=data.kind,
            severity=data.severity,
            schools=data.schools,
            summary=data.summary,
            occurred_at=moment(data.occurred_at, request, "occurred_at"),
            actor=actor_of(request),
            idempotency_key=request.headers.get("idempotency-key") or None,
        )
        return result.as_dict()

    @get(
        "/{ref:str}",
        sync_to_thread=True,
        summary="An incident's current state",
        responses=ITEM_ERRORS,
    )
    def show(self, request: Request, ref: FromPath[str]) -> dict[str, Any]:
        account = allow(request, "view_incident", ref=ref)
        record_view(request, ref, "api")
        steady = steady_of(request)
        position = steady.last_position()
        view = incident_view_for(account, steady.incident(ref), steady.clock())
        return {**view, "position": position}

    @get(
        "/{ref:str}/events",
        sync_to_thread=True,
        summary="An incident's events with positions",
        responses=ITEM_ERRORS,
    )
    def events(self, request: Request, ref: FromPath[str]) -> dict[str, Any]:
        account = allow(request, "view_incident", ref=ref)
        record_view(request, ref, "api")
        events = steady_of(request).incident_events(ref)
        organisation = partner_organisation(account)
        if organisation is not None:
            events = partner_events(request, organisation, events)
        return {"events": [e.as_dict() for e in events]}

    @get(
        "/{ref:str}/state",
        sync_to_thread=True,
        summary="An incident as it stood at a version or moment",
        responses=ITEM_ERRORS,
    )
    def state(
        self,
        request: Request,
        ref: FromPath[str],
        version: Annotated[int | None, QueryParameter(ge=1)] = None,
        at: FromQuery[str | None] = None,
    ) -> dict[str, Any]:
        replaying = version is not None or at is not None
        account = allow(request, "replay" if replaying else "view_incident", ref=ref)
        record_view(request, ref, "replay" if replaying else "api")
        steady = steady_of(request)
        if version is not None and at is not None:
            raise BadInput("give either version or at, not both", "version")
        if version is not None:
            incident = steady.incident_at_version(ref, version)
            as_of = incident.modified_on
        elif at is not None:
            as_of = moment(at, request)
            assert as_of is not None
            incident = steady.incident_at_time(ref, as_of)
        else:
            incident = steady.incident(ref)
            as_of = steady.clock()
        return {**incident_view_for(account, incident, as_of), "as_of": as_of.isoformat()}

    @post(
        "/{ref:str}/playbooks",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        responses=COMMAND_ERRORS,
    )
    def apply_playbook(
        self, request: Request, ref: FromPath[str], data: JSONBody[ApplyPlaybook]
    ) -> dict[str, Any]:
        allow(request, "apply_playbook", ref=ref)
        return (
            steady_of(request)
            .apply_playbook(ref, data.playbook_id, **options(request, data.based_on_version))
            .as_dict()
        )

    @post(
        "/{ref:str}/tasks",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        responses=COMMAND_ERRORS,
    )
    def add_task(
        self, request: Request, ref: FromPath[str], data: JSONBody[AddTask]
    ) -> dict[str, Any]:
        allow(request, "assign_task", ref=ref)
        return (
            steady_of(request)
            .add_task(
                ref,
                title=data.title,
                owner_role=data.owner_role,
                phase=data.phase,
                instructions=data.instructions,
                due_at=moment(data.due_at, request, "due_at"),
                **options(request),
            )
            .as_dict()
        )

    @post(
        "/{ref:str}/tasks/{task_id:str}/status",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
    )
    def change_status(
        self,
        request: Request,
        ref: FromPath[str],
        task_id: FromPath[str],
        data: JSONBody[ChangeStatus],
    ) -> dict[str, Any]:
        allow_task_update(request, ref, task_id)
        return (
            steady_of(request)
            .change_task_status(
                ref,
                task_id,
                data.status,
                reason=data.reason,
                note=data.note,
                **options(request, data.based_on_version),
            )
            .as_dict()
        )

    @post(
        "/{ref:str}/tasks/{task_id:str}/assignment",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
    )
    def assign(
        self, request: Request, ref: FromPath[str], task_id: FromPath[str], data: JSONBody[Assign]
    ) -> dict[str, Any]:
        allow(request, "assign_task", ref=ref)
        # Only someone (or some position or partner) Steady knows: a 404 lists who there is.
        name = assignee_named(request.app.state.accounts, data.kind, data.name)
        return (
            steady_of(request)
            .assign_task(
                ref,
                task_id,
                kind=data.kind,
                name=name,
                **options(request, data.based_on_version),
            )
            .as_dict()
        )

    @post(
        "/{ref:str}/notes",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        responses=COMMAND_ERRORS,
    )
    def add_note(
        self, request: Request, ref: FromPath[str], data: JSONBody[AddNote]
    ) -> dict[str, Any]:
        account = allow(request, "add_note", ref=ref)
        share_with = note_audience(request, account, ref, data.task_id, data.share_with)
        return (
            steady_of(request)
            .add_note(
                ref, data.text, task_id=data.task_id, share_with=share_with, **options(request)
            )
            .as_dict()
        )

    @post(
        "/{ref:str}/notes/{note_id:str}/corrections",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        responses=COMMAND_ERRORS,
    )
    def correct_note(
        self,
        request: Request,
        ref: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[CorrectNote],
    ) -> dict[str, Any]:
        allow_note_correction(request, ref, note_id)
        return (
            steady_of(request)
            .correct_note(ref, note_id, data.text, reason=data.reason, **options(request))
            .as_dict()
        )

    @post(
        "/{ref:str}/severity",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
    )
    def change_severity(
        self, request: Request, ref: FromPath[str], data: JSONBody[ChangeSeverity]
    ) -> dict[str, Any]:
        allow(request, "change_severity", ref=ref)
        return (
            steady_of(request)
            .change_severity(
                ref, data.severity, reason=data.reason, **options(request, data.based_on_version)
            )
            .as_dict()
        )

    @post(
        "/{ref:str}/phase",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
    )
    def advance_phase(
        self, request: Request, ref: FromPath[str], data: JSONBody[AdvancePhase]
    ) -> dict[str, Any]:
        allow(request, "advance_phase", ref=ref)
        return (
            steady_of(request)
            .advance_phase(ref, data.phase, **options(request, data.based_on_version))
            .as_dict()
        )

    @post(
        "/{ref:str}/close",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
        guards=[requires("close_incident")],
    )
    def close(
        self,
        request: Request,
        steady: Steady,
        ref: FromPath[str],
        data: JSONBody[CloseIncident],
    ) -> dict[str, Any]:
        return steady.close_incident(
            ref, data.review_summary, **options(request, data.based_on_version)
        ).as_dict()

    @post(
        "/{ref:str}/reopen",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        responses=COMMAND_ERRORS,
    )
    def reopen(
        self, request: Request, ref: FromPath[str], data: JSONBody[ReopenIncident]
    ) -> dict[str, Any]:
        allow(request, "reopen_incident", ref=ref)
        return (
            steady_of(request)
            .reopen_incident(ref, data.reason, phase=data.phase, **options(request))
            .as_dict()
        )


@get(
    "/api/v1/incidents/{ref:str}/export", sync_to_thread=True, tags=["audit"], responses=ITEM_ERRORS
)
def export(request: Request, ref: FromPath[str]) -> Response[dict[str, Any]]:
    """The complete event stream, with hashes; `steady import-check` verifies a saved copy."""
    allow(request, "export", ref=ref)
    record_view(request, ref, "export")
    steady = steady_of(request)
    document = export_incident(steady, ref, exported_at=steady.clock())
    filename = f"{document['incident']['reference']}-events.json"
    return Response(document, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@get(
    "/api/v1/incidents/{ref:str}/verify", sync_to_thread=True, tags=["audit"], responses=ITEM_ERRORS
)
def verify_one(request: Request, ref: FromPath[str]) -> dict[str, Any]:
    """Whether the incident's hash chain is intact, or where it first breaks."""
    allow(request, "verify", ref=ref)
    steady = steady_of(request)
    return verify_incident(steady, steady.find(ref)).as_dict()


@get("/api/v1/verify", sync_to_thread=True, tags=["audit"], responses=READ_ERRORS)
def verify_every(request: Request) -> dict[str, Any]:
    account = allow(request, "verify")
    steady = steady_of(request)
    # Not the incidents that do not exist for them: a confidential case's reference is not
    # theirs either. A stream too broken to fold stays listed: that is what verify is for.
    every = steady.board.incidents()
    seen = {i.id for i in visible_incidents(request, account, every)}
    unseen = {i.id for i in every} - seen
    checks = [c for c in verify_all(steady) if c.incident_id not in unseen]
    return {"intact": all(c.intact for c in checks), "incidents": [c.as_dict() for c in checks]}


@get(
    "/api/v1/events",
    sync_to_thread=True,
    tags=["feed"],
    summary="The global event feed",
    responses=READ_ERRORS,
)
def global_feed(
    request: Request,
    # Positions are 64-bit in the store: a larger one would fail there, not find nothing.
    after: Annotated[int, QueryParameter(ge=0, le=2**63 - 1)] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    account = allow(request, "view_board")
    steady = steady_of(request)
    events = steady.events_after(after, limit)
    last = events[-1].position if events else after
    events = visible_events(request, account, events)
    return {"events": [e.as_dict() for e in events], "last_position": last}


@get(
    "/api/v1/playbooks",
    sync_to_thread=True,
    tags=["playbooks"],
    summary="The playbook library",
    responses=READ_ERRORS,
)
def list_playbooks(request: Request, kind: FromQuery[str | None] = None) -> dict[str, Any]:
    account_of(request)
    library = steady_of(request).playbooks
    playbooks = library.for_kind(kind) if kind else library.all()
    return {"playbooks": [playbook_view(p) for p in playbooks]}


@get(
    "/api/v1/playbooks/{playbook_id:str}",
    sync_to_thread=True,
    tags=["playbooks"],
    responses=ITEM_ERRORS,
)
def show_playbook(request: Request, playbook_id: FromPath[str]) -> dict[str, Any]:
    account_of(request)
    return playbook_view(steady_of(request).playbooks.get(playbook_id))


API_HANDLERS = [
    IncidentsController,
    global_feed,
    list_playbooks,
    show_playbook,
    export,
    verify_one,
    verify_every,
]
