"""Plain dictionaries of incidents, tasks and playbooks for JSON output (CLI and API)."""

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import islice
from typing import Any

from domain.drills import TimedMoment
from domain.incident import Incident
from domain.incident_tasks import AppliedPlaybook
from domain.milestones import RecordedMilestone
from domain.notes import Note
from domain.severity import SEVERITIES
from domain.task import Task
from playbooks.model import Playbook
from service.live.feed_events import plain


def incident_summary(incident: Incident, now: datetime) -> dict[str, Any]:
    progress = incident.progress()
    return {
        "id": str(incident.id),
        "reference": incident.reference,
        "title": incident.title,
        "kind": incident.kind,
        "drill": incident.drill,  # a drill, never to be taken for the real thing
        "severity": incident.severity,
        "severity_label": SEVERITIES[incident.severity],
        "schools": list(incident.schools),
        "phase": incident.phase.value,
        "status": "closed" if incident.closed else "open",
        "occurred_at": incident.occurred_at.isoformat(),
        "opened_at": incident.created_on.isoformat(),
        "last_activity_at": incident.modified_on.isoformat(),
        "version": incident.version,
        "tasks": {
            "done": progress.done,
            "not_applicable": progress.not_applicable,
            "carried": progress.carried,
            "total": progress.total,
            "overdue": len(incident.overdue_tasks(now)),
        },
    }


def task_view(
    task: Task, now: datetime, milestones: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """`milestones` (id -> title) name the milestone a task without a due date waits for."""
    waiting = task.waits_for and task.due_at is None
    waiting_for = (milestones or {}).get(task.waits_for, task.waits_for) if waiting else ""
    return plain(
        {
            "id": task.id,
            "title": task.title,
            "instructions": task.instructions,
            "phase": task.phase.value,
            "owner_role": task.owner_role,
            "due_at": task.due_at,
            "original_due_at": task.original_due_at,
            "times_rescheduled": task.times_rescheduled,
            "reschedule_reason": task.reschedule_reason,
            "overdue": task.is_overdue(now),
            "stakeholder": task.stakeholder,
            "component": task.component,
            "playbook_id": task.playbook_id,
            "step_id": task.step_id,
            "due_rule": task.due_rule,
            # The title of the milestone it waits for, while it has no due date.
            "waiting_for": waiting_for,
            "status": task.status.value,
            "reason": task.reason,
            "done_note": task.done_note,
            "assignee": {"kind": task.assignee.kind, "name": task.assignee.name}
            if task.assignee
            else None,
            "times_reopened": task.times_reopened,
            "carried_to": task.carried_to,
            "carried_from": task.carried_from,
            "urgent": task.urgent,
            "updated_at": task.updated_at,
            "updated_by": task.updated_by.as_dict() if task.updated_by else None,
        }
    )


# A year-long incident holds thousands of notes: its page and the API's incident show the
# latest ones, and /api/v1/incidents/{ref}/notes pages through all of them.
RECENT_NOTES = 200


def incident_view(
    incident: Incident, now: datetime, *, recent_notes: int | None = None
) -> dict[str, Any]:
    """The incident whole, or with only its `recent_notes` latest notes (and their total)."""
    titles = incident.milestone_titles()
    notes: Iterable[Note] = incident.notes.values()
    if recent_notes is not None and len(incident.notes) > recent_notes:
        notes = reversed(list(islice(reversed(incident.notes.values()), recent_notes)))
    return {
        **incident_summary(incident, now),
        "summary": incident.summary,
        "opened_by": incident.opened_by.as_dict(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "review_summary": incident.review_summary,
        "follows": incident.follows,
        "follow_ups": list(incident.follow_ups),
        "playbooks": [applied_view(p, incident) for p in incident.playbooks],
        "task_list": [task_view(t, now, titles) for t in incident.tasks.values()],
        "milestones": [
            {
                "id": milestone_id,
                "title": title,
                "recorded": milestone_record(incident.milestones.get(milestone_id)),
                "waiting": len(incident.waiting_for(milestone_id)),
            }
            for milestone_id, title in titles.items()
        ],
        "shares": [{"organisation": slug, "name": name} for slug, name in incident.shares.items()],
        "notes": [note_view(n) for n in notes],
        "notes_total": len(incident.notes),
        "confidential": incident.confidential,
        "marked_confidential": incident.marked_confidential,
        "case_team": list(incident.case_team),
        "review": review_view(incident),
    }


def review_view(incident: Incident) -> dict[str, Any]:
    """The after-action review's moments, timed from the opening (seconds), drill or real."""
    times = incident.drill_times()

    def moment(recorded: TimedMoment | None, span: timedelta | None) -> dict[str, Any] | None:
        if recorded is None or span is None:
            return None
        return plain(
            {
                "moment": recorded.moment,
                "seconds_from_start": int(span.total_seconds()),
                "by": recorded.by.as_dict(),
            }
        )

    participants = incident.participants
    return {
        "everyone_accounted_for": moment(
            incident.everyone_accounted_for, times.to_everyone_accounted_for
        ),
        "reunification_completed": moment(
            incident.reunification_completed, times.to_reunification_completed
        ),
        "participants": {"count": participants.count, "note": participants.note}
        if participants
        else None,
        "changes_to_make": [
            plain({"id": c.id, "text": c.text, "at": c.at, "by": c.by.as_dict()})
            for c in incident.changes_to_make
        ],
    }


def applied_view(applied: AppliedPlaybook, incident: Incident) -> dict[str, Any]:
    """An applied playbook, with the playbooks whose tasks stand for its shared steps."""
    owners = {task_id: p.title for p in incident.playbooks for task_id in p.task_ids}
    shared_with: dict[str, int] = {}
    for task_id in applied.shared.values():
        title = owners.get(task_id, "tasks added by hand")
        shared_with[title] = shared_with.get(title, 0) + 1
    return {
        "id": applied.id,
        "version": applied.version,
        "content_hash": applied.content_hash,
        "title": applied.title,
        "shared": [{"title": title, "steps": count} for title, count in shared_with.items()],
    }


def milestone_record(recorded: RecordedMilestone | None) -> dict[str, Any] | None:
    if recorded is None:
        return None
    return plain(
        {
            "moment": recorded.moment,
            "recorded_at": recorded.recorded_at,
            "by": recorded.by.as_dict(),
            "reason": recorded.reason,
        }
    )


def note_view(note: Note) -> dict[str, Any]:
    return plain(
        {
            "id": note.id,
            "text": note.text,
            "task_id": note.task_id,
            "at": note.at,
            "by": note.by.as_dict(),
            "corrects": note.corrects,
            "reason": note.reason,
            "corrected_by": note.corrected_by,
            "shared_with": list(note.shared_with),
        }
    )


def playbook_view(playbook: Playbook) -> dict[str, Any]:
    return {
        "id": playbook.id,
        "title": playbook.title,
        "version": playbook.version,
        "kinds": list(playbook.kinds),
        "summary": playbook.summary,
        "content_hash": playbook.content_hash,
        "roles": [{"id": r.id, "title": r.title} for r in playbook.roles],
        "phases": [
            {
                "phase": p.phase.value,
                "goal": p.goal,
                "steps": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "instructions": s.instructions,
                        "owner": s.owner,
                        "due": str(s.due),
                        "stakeholder": s.stakeholder,
                        "component": s.component,
                        # The incident kinds it becomes a task for; empty: every kind.
                        "kinds": list(s.kinds),
                    }
                    for s in p.steps
                ],
            }
            for p in playbook.phases
        ],
    }
