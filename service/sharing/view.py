"""What a partner organisation sees of an incident shared with it: the incident's outline, the
tasks assigned to the organisation, and the notes shared with it. Nothing else: not the summary,
the review, other tasks or notes, nor who else the incident is shared with."""

from datetime import datetime
from typing import Any

from domain.incident import Incident
from domain.notes import Note
from domain.people import Assignee
from domain.task import Status, Task
from service.incidents.as_json import incident_summary, note_view, task_view


def is_shared_with(incident: Incident, organisation: str) -> bool:
    return bool(organisation) and organisation in incident.shares


def names_partner(assignee: Assignee | None, organisation: str) -> bool:
    return (
        assignee is not None
        and assignee.kind == "partner"
        and assignee.name.strip().casefold() == organisation
    )


def assigned_to(task: Task, organisation: str) -> bool:
    return names_partner(task.assignee, organisation)


def partner_tasks(incident: Incident, organisation: str) -> list[Task]:
    return [t for t in incident.tasks.values() if assigned_to(t, organisation)]


def partner_notes(incident: Incident, organisation: str) -> list[Note]:
    return [n for n in incident.notes.values() if organisation in n.shared_with]


def partner_summary(incident: Incident, organisation: str, now: datetime) -> dict[str, Any]:
    """The board card's facts, with task counts over the organisation's own tasks only."""
    tasks = partner_tasks(incident, organisation)
    summary = incident_summary(incident, now)
    summary["tasks"] = {
        "done": sum(1 for t in tasks if t.status == Status.DONE and not t.carried_to),
        "not_applicable": sum(
            1 for t in tasks if t.status == Status.NOT_APPLICABLE and not t.carried_to
        ),
        "carried": sum(1 for t in tasks if t.carried_to),
        "total": len(tasks),
        "overdue": sum(1 for t in tasks if t.is_overdue(now)),
    }
    summary["shared_with_you"] = True
    return summary


def partner_incident_view(incident: Incident, organisation: str, now: datetime) -> dict[str, Any]:
    """The incident as the partner organisation may see it (the caller checked the share)."""
    visible_tasks = {t.id for t in partner_tasks(incident, organisation)}
    notes = []
    for note in partner_notes(incident, organisation):
        view = note_view(note)
        view["shared_with"] = [organisation]  # not which other partners read it
        if view["task_id"] not in visible_tasks:
            view["task_id"] = ""  # shared on a task that is not theirs: keep the task hidden
        if (
            view["corrected_by"]
            and organisation not in incident.notes[note.corrected_by].shared_with
        ):
            view["corrected_by"] = ""
        if view["corrects"] and organisation not in incident.notes[note.corrects].shared_with:
            view["corrects"] = ""
        notes.append(view)
    return {
        **partner_summary(incident, organisation, now),
        "summary": "",
        "opened_by": incident.opened_by.as_dict(),
        "closed_at": incident.closed_at.isoformat() if incident.closed_at else None,
        "review_summary": "",
        "playbooks": [],
        "shares": [{"organisation": organisation, "name": incident.shares[organisation]}],
        "task_list": [
            task_view(t, now, incident.milestone_titles())
            for t in partner_tasks(incident, organisation)
        ],
        "notes": notes,
        "notes_total": len(notes),
    }
