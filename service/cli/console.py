"""How the board, incidents, events and playbooks read in a terminal."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.incident import Incident
from domain.phase import Phase
from domain.severity import SEVERITIES
from domain.task import Status
from playbooks.model import Playbook
from service.live.feed_events import FeedEvent
from service.timelines.local_times import in_zone

STATUS_MARKS = {
    Status.TODO: "[ ]",
    Status.IN_PROGRESS: "[~]",
    Status.BLOCKED: "[!]",
    Status.DONE: "[x]",
    Status.NOT_APPLICABLE: "[-]",
}


def local(at: datetime | None, zone: ZoneInfo) -> str:
    if at is None:
        return "no due time"
    local = in_zone(at, zone)
    return local.strftime("%a %d %b {:04d} %H:%M").format(local.year)


def board(incidents: list[Incident], now: datetime, zone: ZoneInfo, title: str) -> str:
    lines = [title, "=" * len(title)]
    if not incidents:
        lines.append("No open incidents.")
    for incident in incidents:
        progress = incident.progress()
        overdue = len(incident.overdue_tasks(now))
        state = "CLOSED" if incident.closed else incident.phase.label
        lines += [
            "",
            f"{incident.reference}  {'DRILL  ' if incident.drill else ''}"
            f"sev {incident.severity} ({SEVERITIES[incident.severity]})  {state}  {incident.title}",
            f"    schools: {', '.join(incident.schools)}",
            f"    tasks: {progress}, {overdue} overdue"
            f"    last activity: {local(incident.modified_on, zone)}",
        ]
    return "\n".join(lines)


def incident_detail(incident: Incident, now: datetime, zone: ZoneInfo) -> str:
    progress = incident.progress()
    lines = [
        *(["DRILL: this is a drill, not a real incident."] if incident.drill else []),
        f"{incident.reference}: {incident.title}",
        f"kind {incident.kind}, severity {incident.severity} ({SEVERITIES[incident.severity]}), "
        f"phase {incident.phase.value}, {'closed' if incident.closed else 'open'}, "
        f"version {incident.version}",
        f"schools: {', '.join(incident.schools)}",
        f"happened: {local(incident.occurred_at, zone)}; opened by {incident.opened_by}",
    ]
    if incident.follows:
        lines.append(f"follows up: {incident.follows}")
    if incident.follow_ups:
        lines.append(f"followed up in: {', '.join(incident.follow_ups)}")
    if incident.summary:
        lines += ["", incident.summary]
    if incident.playbooks:
        lines += ["", "playbooks: " + ", ".join(f"{p.id} v{p.version}" for p in incident.playbooks)]
    lines += ["", f"tasks: {progress}"]
    for phase in Phase:
        tasks = [t for t in incident.tasks.values() if t.phase == phase]
        if not tasks:
            continue
        lines.append(f"  {phase.label}")
        for task in tasks:
            overdue = "  OVERDUE" if task.is_overdue(now) else ""
            lines.append(
                f"    {STATUS_MARKS[task.status]} {task.id} {task.title}  "
                f"({task.owner_role}; due {local(task.due_at, zone)}){overdue}"
            )
            if task.assignee:
                lines.append(f"          assigned to {task.assignee}")
            if task.carried_to:
                lines.append(f"          carried into {task.carried_to}")
            if task.times_rescheduled:
                lines.append(
                    f"          rescheduled from {local(task.original_due_at, zone)}: "
                    f"{task.reschedule_reason}"
                )
            if task.status in (Status.BLOCKED, Status.NOT_APPLICABLE):
                lines.append(f"          {task.status.label.lower()}: {task.reason}")
            if task.done_note:
                lines.append(f"          note: {task.done_note}")
    if incident.notes:
        lines += ["", "notes:"]
        for note in incident.notes.values():
            about = f" on {note.task_id}" if note.task_id else ""
            if note.corrected_by:
                lines.append(f"  {note.id}{about} (corrected by {note.corrected_by}): {note.text}")
            elif note.corrects:
                lines.append(
                    f"  {note.id}{about} corrects {note.corrects} ({note.reason}): {note.text}"
                )
            else:
                lines.append(f"  {note.id}{about} {local(note.at, zone)} {note.by}: {note.text}")
    if incident.closed:
        lines += ["", f"closed {local(incident.closed_at, zone)}: {incident.review_summary}"]
    return "\n".join(lines)


def event_line(event: FeedEvent, zone: ZoneInfo) -> str:
    data = event.data
    detail = {
        "incident_opened": lambda: data["title"],
        "playbook_applied": lambda: (
            f"{data['playbook_id']} v{data['playbook_version']}, {len(data['tasks'])} tasks"
        ),
        "task_added": lambda: f"{data['task']['task_id']} {data['task']['title']}",
        "task_assigned": lambda: (
            f"{data['task_id']} to {data['assignee']} ({data['assignee_kind']})"
        ),
        "task_status_changed": lambda: (
            f"{data['task_id']} -> {data['status']}"
            + (f": {data['reason']}" if data["reason"] else "")
            + (f": {data['note']}" if data["note"] else "")
        ),
        "note_added": lambda: f"{data['note_id']}: {data['text']}",
        "note_corrected": lambda: f"{data['note_id']} corrects {data['corrects']}: {data['text']}",
        "severity_changed": lambda: f"severity {data['severity']}",
        "phase_advanced": lambda: data["phase"],
        "incident_closed": lambda: data["review_summary"],
        "incident_reopened": lambda: f"{data['reason']} (phase {data['phase']})",
        "milestone_recorded": lambda: f"{data['title']} at {local(data['moment'], zone)}",
        "task_rescheduled": lambda: f"{data['task_id']} due {data['due_at']}: {data['reason']}",
        "tasks_carried_over": lambda: f"{', '.join(data['task_ids'])} into {data['follow_up']}",
        "tasks_carried_in": lambda: f"{len(data['tasks'])} tasks from {data['follows']}",
    }.get(event.type, lambda: "")()
    return (
        f"{event.position:>7}  {event.reference} v{event.version:<4} {local(event.at, zone)}  "
        f"{event.actor['user']} ({event.actor['role']})  {event.type}: {detail}"
    )


def playbook_list(playbooks: list[Playbook]) -> str:
    lines = []
    for playbook in playbooks:
        steps = sum(len(p.steps) for p in playbook.phases)
        lines.append(
            f"{playbook.id:<36} v{playbook.version:<3} {steps:>3} steps  "
            f"{playbook.title}  [{', '.join(playbook.kinds)}]"
        )
    return "\n".join(lines)


def diff_text(diff: dict[str, Any]) -> str:
    """What changed between two versions, a line per change."""
    changes = diff["changes"]
    lines = [f"{diff['reference']}: from version {diff['from']} to version {diff['to']}"]
    skip = {"version", "last_activity_at"}
    for field, change in changes["fields"].items():
        if field not in skip:
            lines.append(f"  {field}: {change.get('from')!r} -> {change.get('to')!r}")
    for name in ("tasks", "notes"):
        part = changes[name]
        for key, item in part["added"].items():
            lines.append(f"  + {name[:-1]} {key}: {item.get('title') or item.get('text')}")
        for key, item in part["removed"].items():
            lines.append(f"  - {name[:-1]} {key}: {item.get('title') or item.get('text')}")
        for key, fields in part["changed"].items():
            for field, change in fields.items():
                if field not in ("updated_at", "updated_by"):
                    lines.append(
                        f"  ~ {name[:-1]} {key} {field}: {change.get('from')!r} -> "
                        f"{change.get('to')!r}"
                    )
    if len(lines) == 1:
        lines.append("  no change")
    return "\n".join(lines)
