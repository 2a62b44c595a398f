"""An incident's timeline: every event in order, in plain language, for people who audit it.

The timeline folds the events one by one (as `service.application.project` does), so each entry
is told with what was true at that moment: the task's title and phase, the note a correction
replaced, the severity before a change. Nothing here reads today's state to explain the past.

Phase of an entry: for an entry about a task (a task event, or a note about a task) it is that
task's phase; for anything else it is the incident's phase once the event had happened (so a
`phase_advanced` entry belongs to the phase it moved into).
"""

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.errors import DomainError
from domain.incident import SEVERITIES, Incident
from domain.kinds import KINDS
from domain.task import Status
from service.application import Steady
from service.feed import EVENT_CLASSES, FeedEvent

EVENT_KINDS = tuple(cls.NAME for cls in EVENT_CLASSES)
CSV_COLUMNS = ("position", "version", "at", "user", "role", "type", "task_id", "phase", "text")
# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def timeline(
    steady: Steady,
    ref: str,
    *,
    zone: ZoneInfo,
    task: str | None = None,
    role: str | None = None,
    phase: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Every event of the incident in order, told in plain language; filters narrow it."""
    check_kind(kind)
    entries = narrate(steady.incident_events(ref), zone)
    return select(entries, task=task, role=role, phase=phase, kind=kind)


def check_kind(kind: str | None) -> None:
    if kind and kind not in EVENT_KINDS:
        raise DomainError(
            f"unknown kind of event {kind!r}: expected one of {', '.join(EVENT_KINDS)}"
        )


def select(
    entries: Iterable[dict[str, Any]],
    *,
    task: str | None = None,
    role: str | None = None,
    phase: str | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """The entries that match every filter given; an empty filter matches everything."""
    check_kind(kind)
    wanted_task = (task or "").strip().upper()
    return [
        entry
        for entry in entries
        if (not wanted_task or wanted_task in _tasks_of(entry))
        and (not role or entry["actor"]["role"] == role)
        and (not phase or entry["phase"] == phase)
        and (not kind or entry["type"] == kind)
    ]


def _tasks_of(entry: dict[str, Any]) -> set[str]:
    """The tasks an entry is about: its own, or those a playbook created."""
    return {entry["task_id"], *entry.get("task_ids", ())} - {None}


def narrate(events: Iterable[FeedEvent], zone: ZoneInfo) -> list[dict[str, Any]]:
    """Folds the events in order and tells each one with what was true at that moment."""
    entries: list[dict[str, Any]] = []
    by_note: dict[str, dict[str, Any]] = {}  # note id -> the entry that wrote it
    incident: Incident | None = None
    for feed_event in events:
        event = feed_event.event
        before = _before(incident, event)
        incident = event.mutate(incident)
        assert incident is not None
        entry = _entry(feed_event, incident, before, zone)
        if feed_event.type in ("note_added", "note_corrected"):
            by_note[entry["note_id"]] = entry
        if feed_event.type == "note_corrected":
            original = by_note[entry["corrects"]["note_id"]]
            entry["corrects"]["original_version"] = original["version"]
            original["corrected_by"] = {
                "note_id": entry["note_id"],
                "version": entry["version"],
                "at": entry["at"],
                "at_text": entry["at_text"],
                "by": entry["actor"],
                "reason": entry["corrects"]["reason"],
            }
        entries.append(entry)
    return entries


def timeline_csv(entries: Iterable[dict[str, Any]]) -> str:
    """The entries as CSV, one row each; cells a spreadsheet would run as formulas are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for e in entries:
        row = [
            e["position"],
            e["version"],
            e["at"],
            e["actor"]["user"],
            e["actor"]["role"],
            e["type"],
            e["task_id"] or "",
            e["phase"],
            e["text"],
        ]
        writer.writerow([_cell(value) for value in row])
    return out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def local_time(when: datetime, zone: ZoneInfo) -> tuple[str, str]:
    """(ISO in district time, "Mon 23 Nov 2026, 14:02:31 CST")."""
    local = when.astimezone(zone)
    # One strftime, the day unpadded: this runs once per event of a timeline.
    return local.isoformat(), local.strftime("%a {} %b %Y, %H:%M:%S %Z").format(local.day)


# -- telling one event --------------------------------------------------------------------------


def _before(incident: Incident | None, event: Incident.Event) -> dict[str, Any]:
    """What the event changes, as it was just before: needed to tell some events."""
    if incident is None:
        return {}
    task_id = getattr(event, "task_id", "")
    task = incident.tasks.get(task_id) if task_id else None
    return {
        "status": task.status if task else None,
        "severity": incident.severity,
        "phase": incident.phase.value,
    }


def _entry(
    feed_event: FeedEvent, incident: Incident, before: dict[str, Any], zone: ZoneInfo
) -> dict[str, Any]:
    event = feed_event.event
    at, at_text = local_time(feed_event.at, zone)
    actor = {"user": feed_event.actor["user"], "role": feed_event.actor["role"]}
    task_id: str | None = getattr(event, "task_id", "") or None
    if isinstance(event, Incident.TaskAdded):
        task_id = event.task["task_id"]
    if isinstance(event, Incident.NoteCorrected):
        task_id = incident.notes[event.note_id].task_id or None
    task = incident.tasks.get(task_id) if task_id else None
    what = _what(event, incident, before)
    entry: dict[str, Any] = {
        "position": feed_event.position,
        "version": feed_event.version,
        "at": at,
        "at_text": at_text,
        "actor": actor,
        "type": feed_event.type,
        "task_id": task_id,
        "phase": task.phase.value if task else incident.phase.value,
        "text": f"{actor['user']} ({actor['role']}) {what}",
        "what": what,  # the text without the actor, for pages that show the actor apart
    }
    if isinstance(event, Incident.PlaybookApplied):
        entry["task_ids"] = [t["task_id"] for t in event.tasks]
    if isinstance(event, Incident.NoteAdded | Incident.NoteCorrected):
        entry["note_id"] = event.note_id
        entry["note_text"] = event.text
    if isinstance(event, Incident.NoteCorrected):
        original = incident.notes[event.corrects]
        original_at, original_at_text = local_time(original.at, zone)
        entry["corrects"] = {
            "note_id": original.id,
            "original_text": original.text,
            "original_at": original_at,
            "original_at_text": original_at_text,
            "original_by": original.by.as_dict(),
            "reason": event.reason,
        }
    return entry


def _task_name(incident: Incident, task_id: str) -> str:
    task = incident.tasks.get(task_id)
    return f"{task_id} '{task.title}'" if task else task_id


def _what(event: Incident.Event, incident: Incident, before: dict[str, Any]) -> str:
    """The sentence after the actor: what they did."""
    match event:
        case Incident.Opened():
            schools = ", ".join(event.schools)
            kind = KINDS.get(event.kind, event.kind)
            severity = f"severity {event.severity} ({SEVERITIES[event.severity]})"
            return f"opened {event.reference} '{event.title}' at {schools}: {kind}, {severity}"
        case Incident.PlaybookApplied():
            count = len(event.tasks)
            return (
                f"applied playbook '{event.playbook_title}' v{event.playbook_version} "
                f"({count} task{'' if count == 1 else 's'})"
            )
        case Incident.TaskAdded():
            data = event.task
            return (
                f"added {data['task_id']} '{data['title']}' "
                f"({data['phase']}, owner {data['owner_role']})"
            )
        case Incident.TaskAssigned():
            return (
                f"assigned {_task_name(incident, event.task_id)} "
                f"to {event.assignee} ({event.assignee_kind})"
            )
        case Incident.TaskStatusChanged():
            return _status_change(event, _task_name(incident, event.task_id), before["status"])
        case Incident.NoteAdded():
            about = f" about {_task_name(incident, event.task_id)}" if event.task_id else ""
            return f"added note {event.note_id}{about}: '{event.text}'"
        case Incident.NoteCorrected():
            original = incident.notes[event.corrects]
            return (
                f"corrected note {event.corrects}: '{original.text}' → '{event.text}' "
                f"({event.reason})"
            )
        case Incident.SeverityChanged():
            was = before["severity"]
            text = (
                f"changed severity from {was} ({SEVERITIES[was]}) "
                f"to {event.severity} ({SEVERITIES[event.severity]})"
            )
            return f"{text}: {event.reason}" if event.reason else text
        case Incident.PhaseAdvanced():
            return f"moved the incident from {before['phase']} to {event.phase}"
        case Incident.Closed():
            return f"closed the incident: {event.review_summary}"
        case Incident.Reopened():
            return f"reopened the incident in {event.phase}: {event.reason}"
    return type(event).__name__  # pragma: no cover - every event type is told above


def _status_change(event: Incident.TaskStatusChanged, name: str, was: Status | None) -> str:
    to = Status(event.status)
    if to == Status.DONE:
        return f"completed {name}: {event.note}" if event.note else f"completed {name}"
    if to == Status.BLOCKED:
        return f"blocked {name}: {event.reason}"
    if to == Status.IN_PROGRESS:
        return f"resumed {name}" if was == Status.BLOCKED else f"started {name}"
    if was == Status.DONE:
        return f"reopened {name}: {event.reason}"
    text = f"moved {name} back to to do"
    return f"{text}: {event.reason}" if event.reason else text
