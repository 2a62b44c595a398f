"""The incidents API's commands: each handler builds a command and hands it to the service.

Whole-route permissions are guards; the checks that depend on the particular task or note (a
responder's own tasks, one's own notes) are calls in those handlers."""

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import Account
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.incidents.assignees import assignee_named
from web.access.auth import allow_note_correction, allow_status_change
from web.access.guards import requires
from web.dependencies import CommandOptions
from web.errors import COMMAND_ERRORS, error_responses
from web.incidents.access import note_audience
from web.incidents.bodies import (
    AddNote,
    AddTask,
    AdvancePhase,
    ApplyPlaybook,
    Assign,
    ChangeSeverity,
    ChangeStatus,
    CloseIncident,
    CorrectNote,
    OpenIncident,
    RecordMilestone,
    ReopenIncident,
    RescheduleTask,
    read_moment,
)
from web.incidents.schools import chosen_schools

CHANGED = {"sync_to_thread": True, "status_code": HTTP_200_OK, "responses": COMMAND_ERRORS}
ADDED = {"sync_to_thread": True, "status_code": HTTP_201_CREATED, "responses": COMMAND_ERRORS}


class IncidentCommandsController(Controller):
    path = "/api/v1/incidents"
    tags = ["incidents"]

    @post(
        "/",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Open an incident",
        responses=error_responses(400, 401, 403, 404, 409, 422, 503),
        guards=[requires("open_incident")],
    )
    def open_incident(
        self,
        steady: NamedDependency[Steady],
        accounts: NamedDependency[Accounts],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        data: JSONBody[OpenIncident],
    ) -> dict[str, Any]:
        result = steady.open_incident(
            title=data.title,
            kind=data.kind,
            severity=data.severity,
            schools=chosen_schools(accounts, data.schools),
            summary=data.summary,
            occurred_at=read_moment(data.occurred_at, zone, "occurred_at"),
            drill=data.drill,
            actor=command_options.actor(),
            idempotency_key=command_options.idempotency_key(),
        )
        return result.as_dict()

    @post("/{ref:str}/playbooks", guards=[requires("apply_playbook")], **ADDED)
    def apply_playbook(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[ApplyPlaybook],
    ) -> dict[str, Any]:
        options = command_options(data.based_on_version)
        return steady.apply_playbook(ref, data.playbook_id, **options).as_dict()

    # Recording a milestone sets the clock of the playbook's steps: whoever applies playbooks.
    @post("/{ref:str}/milestones", guards=[requires("apply_playbook")], **ADDED)
    def record_milestone(
        self,
        steady: NamedDependency[Steady],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[RecordMilestone],
    ) -> dict[str, Any]:
        """Says when a milestone (a student's discharge, say) happened: the tasks waiting for
        it get due dates from that moment; recorded again with a reason, the tasks not done yet
        are rescheduled."""
        moment = read_moment(data.moment, zone, "moment")
        assert moment is not None  # the body requires it
        return steady.record_milestone(
            ref,
            data.milestone_id.strip(),
            moment,
            reason=data.reason,
            **command_options(data.based_on_version),
        ).as_dict()

    @post("/{ref:str}/tasks", guards=[requires("assign_task")], **ADDED)
    def add_task(
        self,
        steady: NamedDependency[Steady],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[AddTask],
    ) -> dict[str, Any]:
        return steady.add_task(
            ref,
            title=data.title,
            owner_role=data.owner_role,
            phase=data.phase,
            instructions=data.instructions,
            due_at=read_moment(data.due_at, zone, "due_at"),
            urgent=data.urgent,
            **command_options(),
        ).as_dict()

    @post("/{ref:str}/tasks/{task_id:str}/status", **CHANGED)
    def change_status(
        self,
        request: Request,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        task_id: FromPath[str],
        data: JSONBody[ChangeStatus],
    ) -> dict[str, Any]:
        allow_status_change(request, ref, task_id, data.status)
        return steady.change_task_status(
            ref,
            task_id,
            data.status,
            reason=data.reason,
            note=data.note,
            **command_options(data.based_on_version),
        ).as_dict()

    @post("/{ref:str}/tasks/{task_id:str}/schedule", guards=[requires("replan_task")], **CHANGED)
    def reschedule(
        self,
        steady: NamedDependency[Steady],
        zone: NamedDependency[ZoneInfo],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        task_id: FromPath[str],
        data: JSONBody[RescheduleTask],
    ) -> dict[str, Any]:
        due_at = read_moment(data.due_at, zone, "due_at")
        assert due_at is not None  # the body requires it
        return steady.reschedule_task(
            ref, task_id, due_at, reason=data.reason, **command_options(data.based_on_version)
        ).as_dict()

    @post("/{ref:str}/tasks/{task_id:str}/assignment", guards=[requires("assign_task")], **CHANGED)
    def assign(
        self,
        steady: NamedDependency[Steady],
        accounts: NamedDependency[Accounts],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        task_id: FromPath[str],
        data: JSONBody[Assign],
    ) -> dict[str, Any]:
        # Only someone (or some position or partner) Steady knows: a 404 lists who there is.
        name = assignee_named(accounts, data.kind, data.name)
        return steady.assign_task(
            ref, task_id, kind=data.kind, name=name, **command_options(data.based_on_version)
        ).as_dict()

    @post("/{ref:str}/notes", guards=[requires("add_note")], **ADDED)
    def add_note(
        self,
        steady: NamedDependency[Steady],
        signed_in_as: NamedDependency[Account],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[AddNote],
    ) -> dict[str, Any]:
        share_with = note_audience(steady, signed_in_as, ref, data.task_id, data.share_with)
        return steady.add_note(
            ref, data.text, task_id=data.task_id, share_with=share_with, **command_options()
        ).as_dict()

    @post("/{ref:str}/notes/{note_id:str}/corrections", **ADDED)
    def correct_note(
        self,
        request: Request,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        note_id: FromPath[str],
        data: JSONBody[CorrectNote],
    ) -> dict[str, Any]:
        allow_note_correction(request, ref, note_id)
        return steady.correct_note(
            ref, note_id, data.text, reason=data.reason, **command_options()
        ).as_dict()

    @post("/{ref:str}/severity", guards=[requires("change_severity")], **CHANGED)
    def change_severity(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[ChangeSeverity],
    ) -> dict[str, Any]:
        return steady.change_severity(
            ref, data.severity, reason=data.reason, **command_options(data.based_on_version)
        ).as_dict()

    @post("/{ref:str}/phase", guards=[requires("advance_phase")], **CHANGED)
    def advance_phase(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[AdvancePhase],
    ) -> dict[str, Any]:
        options = command_options(data.based_on_version)
        return steady.advance_phase(ref, data.phase, **options).as_dict()

    @post("/{ref:str}/close", guards=[requires("close_incident")], **CHANGED)
    def close(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[CloseIncident],
    ) -> dict[str, Any]:
        options = command_options(data.based_on_version)
        return steady.close_incident(
            ref,
            data.review_summary,
            open_tasks=data.open_tasks,
            task_outcomes=data.task_outcomes,
            **options,
        ).as_dict()

    @post("/{ref:str}/reopen", guards=[requires("reopen_incident")], **CHANGED)
    def reopen(
        self,
        steady: NamedDependency[Steady],
        command_options: NamedDependency[CommandOptions],
        ref: FromPath[str],
        data: JSONBody[ReopenIncident],
    ) -> dict[str, Any]:
        return steady.reopen_incident(
            ref, data.reason, phase=data.phase, **command_options()
        ).as_dict()


COMMAND_HANDLERS = [IncidentCommandsController]
