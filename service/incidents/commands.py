"""The incident commands: each decides a change on the latest incident and saves it, as
service.incidents.execution runs it (receipt, conflict check, retries)."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Unpack

from domain.errors import DomainError
from domain.follow_up import open_follow_up
from domain.incident import Incident
from domain.incident_tasks import TaskOutcome
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.schedule import Offset
from domain.task import Status, Task, TaskPlan
from playbooks.library import Library
from playbooks.model import INCIDENT
from service.incidents.execution import Command, CommandOptions, CommandResult, SavedWith
from service.store.retrying import retry_on_conflict


class IncidentCommands:
    """The part of the application (service.incidents.application.Steady) that changes
    incidents. The commands' own fields come first; CommandOptions come by keyword."""

    playbooks: Library  # given by the application it is part of

    def open_incident(
        self,
        *,
        title: str,
        kind: str,
        severity: int,
        schools: list[str],
        summary: str = "",
        occurred_at: datetime | None = None,
        drill: bool = False,
        actor: Actor,
        idempotency_key: str | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        arguments: dict[str, Any] = {
            "title": title,
            "kind": kind,
            "severity": severity,
            "schools": schools,
            "summary": summary,
            "occurred_at": occurred_at,
        }
        if drill:  # only then: a receipt stored before drills existed still matches
            arguments["drill"] = True
        command = Command("open_incident", arguments, actor, idempotency_key, at=at)
        previous = self._previous_result(command, reference="")
        if previous:
            return previous

        def attempt() -> CommandResult | None:
            now = self._now(command)
            sequence = self._reference_sequence(now.year)
            incident = Incident.open(
                reference=sequence.next_reference(),
                title=title,
                kind=kind,
                severity=severity,
                schools=schools,
                summary=summary,
                occurred_at=occurred_at or now,
                actor=actor,
                at=now,
                drill=drill,
            )
            return self._save(command, incident, sequence, detail={})

        return retry_on_conflict(
            attempt, too_busy="the store is too busy to open the incident now; try again"
        )

    def apply_playbook(
        self, ref: str, playbook_id: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        playbook = self.playbooks.get(playbook_id)
        # An incident's schools never change: their school day is read before the writer's turn.
        clock = self.school_clock(self.incident(ref).schools)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            # A step with `kinds` is laid out only for those kinds of incident; the event records
            # the tasks made, so replay never needs to know which steps were left out.
            chosen = list(playbook.steps_for(incident.kind))
            if not chosen:
                raise DomainError(
                    f"playbook '{playbook.id}' has no steps for incidents of kind "
                    f"{incident.kind!r}: each of its steps names other kinds"
                )
            laid_out = {step.id for _, step in chosen}
            steps = [
                TaskPlan(
                    title=step.title,
                    instructions=step.instructions,
                    phase=phase.phase,
                    owner_role=step.owner,
                    # A step counted from a milestone has no due date until it is recorded.
                    due_at=None if step.milestone else step.due.at(incident.occurred_at, clock),
                    stakeholder=step.stakeholder,
                    component=step.component,
                    playbook_id=playbook.id,
                    step_id=step.id,
                    due_rule=str(step.due),
                    waits_for=step.milestone,
                    same_as=str(step.same_as or ""),
                    urgent=step.urgent,
                )
                for phase, step in chosen
            ]
            task_ids = incident.apply_playbook(
                playbook_id=playbook.id,
                version=playbook.version,
                content_hash=playbook.content_hash,
                title=playbook.title,
                steps=steps,
                milestones={m.id: m.title for m in playbook.milestones},
                measures=[
                    {
                        "id": m.id,
                        "title": m.title,
                        "from": m.start,
                        "to": m.to,
                        "target": str(m.target or ""),
                    }
                    for m in playbook.measures
                    # A duration to or from a step this incident does not get is never measured.
                    if m.to in laid_out and (m.start == INCIDENT or m.start in laid_out)
                ],
                actor=actor,
                at=now,
            )
            # In the same save as the playbook: replay never shows its tasks without the
            # partners who stand in for their roles, nor the partners without the tasks.
            handover = incident.hand_to_stand_ins(task_ids, self.stand_ins(), actor=actor, at=now)
            return {"task_ids": task_ids, **handover.as_dict()}

        return self._execute(ref, "apply_playbook", {"playbook_id": playbook_id}, change, **options)

    def record_milestone(
        self,
        ref: str,
        milestone_id: str,
        moment: datetime,
        *,
        reason: str = "",
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        """Records when a milestone happened; the tasks waiting for it (and not done) get their
        due dates from that moment, in the district's time and the schools' hours."""
        clock = self.school_clock(self.incident(ref).schools)

        def due(task: Task, start: datetime) -> datetime:
            return Offset.parse(task.due_rule).at(start, clock) if task.due_rule else start

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            task_ids = incident.record_milestone(
                milestone_id, moment, reason=reason, due=due, actor=actor, at=now
            )
            return {"milestone_id": milestone_id, "task_ids": task_ids}

        arguments = {"milestone_id": milestone_id, "moment": moment, "reason": reason}
        return self._execute(ref, "record_milestone", arguments, change, **options)

    def add_task(
        self,
        ref: str,
        *,
        title: str,
        owner_role: str,
        phase: str | None = None,
        instructions: str = "",
        due_at: datetime | None = None,
        urgent: bool = False,
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        arguments: dict[str, Any] = {
            "title": title,
            "owner_role": owner_role,
            "phase": phase,
            "instructions": instructions,
            "due_at": due_at,
        }
        if urgent:  # only then: a receipt stored before tasks could be urgent still matches
            arguments["urgent"] = True

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            plan = TaskPlan(
                title=title,
                instructions=instructions,
                phase=Phase.parse(phase) if phase else incident.phase,
                owner_role=owner_role,
                due_at=due_at,
                urgent=urgent,
            )
            return {"task_id": incident.add_task(plan, actor=actor, at=now)}

        return self._execute(ref, "add_task", arguments, change, **options)

    def assign_task(
        self, ref: str, task_id: str, *, kind: str, name: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.assign_task(task_id, Assignee(kind, name.strip()), actor=actor, at=now)
            return {"task_id": task_id}

        arguments = {"task_id": task_id, "kind": kind, "name": name}
        return self._execute(ref, "assign_task", arguments, change, task_id=task_id, **options)

    def change_task_status(
        self,
        ref: str,
        task_id: str,
        status: str,
        *,
        reason: str = "",
        note: str = "",
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        to = Status.parse(status)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.change_task_status(task_id, to, reason=reason, note=note, actor=actor, at=now)
            return {"task_id": task_id, "status": to.value}

        arguments = {"task_id": task_id, "status": to.value, "reason": reason, "note": note}
        return self._execute(
            ref, "change_task_status", arguments, change, task_id=task_id, **options
        )

    def reschedule_task(
        self,
        ref: str,
        task_id: str,
        due_at: datetime,
        *,
        reason: str,
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.reschedule_task(task_id, due_at, reason=reason, actor=actor, at=now)
            return {"task_id": task_id, "due_at": due_at.isoformat()}

        arguments = {"task_id": task_id, "due_at": due_at, "reason": reason}
        return self._execute(ref, "reschedule_task", arguments, change, task_id=task_id, **options)

    def add_note(
        self,
        ref: str,
        text: str,
        *,
        task_id: str = "",
        share_with: Sequence[str] = (),
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        """Adds a note, shared with the partner organisations named (in the same save, so a
        partner's note is never stored unshared with their own organisation)."""
        organisations = list(dict.fromkeys(share_with))

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            note_id = incident.add_note(text, task_id=task_id, actor=actor, at=now)
            for organisation in organisations:
                incident.share_note(note_id, organisation, actor=actor, at=now)
            return {"note_id": note_id}

        arguments: dict[str, Any] = {"text": text, "task_id": task_id}
        if organisations:
            arguments["share_with"] = organisations
        return self._execute(ref, "add_note", arguments, change, **options)

    def share_note(
        self, ref: str, note_id: str, organisation: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.share_note(note_id, organisation, actor=actor, at=now)
            return {"note_id": note_id, "organisation": organisation}

        arguments = {"note_id": note_id, "organisation": organisation}
        return self._execute(ref, "share_note", arguments, change, **options)

    def share_incident(
        self, ref: str, organisation: str, name: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        """Shares the incident with a partner organisation; the caller has checked that the
        organisation exists and is a partner (the accounts live in another application)."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.share(organisation, name, actor=actor, at=now)
            return {"organisation": organisation}

        arguments = {"organisation": organisation, "name": name}
        return self._execute(ref, "share_incident", arguments, change, **options)

    def end_share(
        self, ref: str, organisation: str, *, reason: str = "", **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.end_share(organisation, reason=reason, actor=actor, at=now)
            return {"organisation": organisation}

        arguments = {"organisation": organisation, "reason": reason}
        return self._execute(ref, "end_share", arguments, change, **options)

    def correct_note(
        self, ref: str, note_id: str, text: str, *, reason: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            new_id = incident.correct_note(note_id, text, reason=reason, actor=actor, at=now)
            return {"note_id": new_id, "corrects": note_id}

        arguments = {"note_id": note_id, "text": text, "reason": reason}
        return self._execute(ref, "correct_note", arguments, change, **options)

    def change_severity(
        self, ref: str, severity: int, *, reason: str = "", **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.change_severity(severity, reason=reason, actor=actor, at=now)
            return {"severity": severity}

        arguments = {"severity": severity, "reason": reason}
        return self._execute(ref, "change_severity", arguments, change, **options)

    def advance_phase(
        self, ref: str, phase: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        to = Phase.parse(phase)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.advance_phase(to, actor=actor, at=now)
            return {"phase": to.value}

        return self._execute(ref, "advance_phase", {"phase": to.value}, change, **options)

    def close_incident(
        self,
        ref: str,
        review_summary: str,
        *,
        open_tasks: str | None = None,
        task_outcomes: Mapping[str, str] | None = None,
        **options: Unpack[CommandOptions],
    ) -> CommandResult:
        """Closes the incident; its open tasks each become done, not applicable or carried
        into a follow-up incident (`task_outcomes` per task id, `open_tasks` for the rest). A
        follow-up is opened in the same save as the close: the record never holds one without
        the other."""
        all_open = TaskOutcome.parse(open_tasks) if open_tasks else None
        outcomes = {t: TaskOutcome.parse(o) for t, o in (task_outcomes or {}).items()}

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any] | SavedWith:
            decided = incident.decide_open_tasks(all_open=all_open, outcomes=outcomes)
            follow = TaskOutcome.FOLLOW_UP in decided.values()
            sequence = self._reference_sequence(now.year) if follow else None
            follow_up = sequence.next_reference() if sequence else ""
            carried = incident.close(
                review_summary, outcomes=decided, follow_up=follow_up, actor=actor, at=now
            )
            detail: dict[str, Any] = {"tasks": {t: o.value for t, o in decided.items()}}
            if not sequence:
                return detail
            opened = open_follow_up(incident, carried, reference=follow_up, actor=actor, at=now)
            return SavedWith(detail | {"follow_up": follow_up}, (opened, sequence))

        arguments: dict[str, Any] = {"review_summary": review_summary}
        if all_open:
            arguments["open_tasks"] = all_open.value
        if outcomes:
            arguments["task_outcomes"] = {t: o.value for t, o in sorted(outcomes.items())}
        return self._execute(ref, "close_incident", arguments, change, **options)

    def reopen_incident(
        self, ref: str, reason: str, *, phase: str | None = None, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        to = Phase.parse(phase) if phase else None

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.reopen(reason, phase=to, actor=actor, at=now)
            return {"phase": incident.phase.value}

        arguments = {"reason": reason, "phase": phase}
        return self._execute(ref, "reopen_incident", arguments, change, **options)
