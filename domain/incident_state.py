"""An incident's state as a whole: a cheap copy to change (fork), and a snapshot to store.

Fork. Whoever holds an incident in memory (the one writer per incident, the board) decides the
next change on a copy and keeps the copy only once the change is saved: a failed save or a
refused command then leaves what others read untouched. The copy is shallow but for the
incident's own containers: its tasks and notes are frozen dataclasses that events replace,
never change, so the copy and the original share them safely. It costs a few pointers per
task and note, where a deep copy of a year-long incident cost milliseconds.

Snapshot. A long incident is loaded from its latest snapshot and the events after it. The
snapshot's stored form is a contract, like an event's: an explicit record of plain values
under a FORMAT number, never the object's attributes as they happen to be (tasks, notes and
applied playbooks are recorded field by field: a renamed field changes the format, and the test
that loads a format-1 snapshot byte for byte says so). A change of shape
is a new FORMAT with an upcast from the one before (UPCASTS), so that every snapshot ever
stored still loads. Nothing in a snapshot is trusted beyond the events: it is derived from
them, and a missing or unreadable one only costs a longer replay.
"""

from collections.abc import Callable
from dataclasses import fields
from enum import Enum
from typing import Any
from uuid import UUID

from eventsourcing.domain import Snapshot
from eventsourcing.utils import get_topic

from domain.drills import ChangeToMake, Participants, TimedMoment
from domain.incident import Incident
from domain.incident_tasks import AppliedPlaybook
from domain.milestones import RecordedMilestone
from domain.notes import Note
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.task import Status, Task

FORMAT = 5


def _format_1_to_2(record: dict[str, Any]) -> dict[str, Any]:
    """Format 2 added school-day due dates: each task's due phrase, the milestone it waits for
    and the step it is the same as; each playbook's shared steps, milestones and measures; and
    the milestones recorded. Before it there were none of these."""
    return record | {
        "format": 2,
        "tasks": [{"due_rule": "", "waits_for": "", "same_as": ""} | t for t in record["tasks"]],
        "playbooks": [
            {"shared": {}, "milestones": {}, "measures": []} | p for p in record["playbooks"]
        ],
        "milestones": [],
    }


def _format_2_to_3(record: dict[str, Any]) -> dict[str, Any]:
    """Format 3 added rescheduling and follow-ups: tasks record their first due time, how
    often and why they were rescheduled, and where they were carried to or from; the incident
    records what it follows and its follow-ups."""
    task_defaults = {
        "original_due_at": None,
        "times_rescheduled": 0,
        "reschedule_reason": "",
        "carried_to": "",
        "carried_from": "",
    }
    return record | {
        "format": 3,
        "tasks": [task_defaults | task for task in record["tasks"]],
        "follows": "",
        "follow_ups": [],
    }


def _format_3_to_4(record: dict[str, Any]) -> dict[str, Any]:
    """Format 4 added urgent tasks: before it no task was urgent."""
    return record | {
        "format": 4,
        "tasks": [{"urgent": False} | task for task in record["tasks"]],
    }


def _format_4_to_5(record: dict[str, Any]) -> dict[str, Any]:
    """Format 5 added drills and the review's moments: before it no incident was a drill, and
    none had recorded everyone accounted for, reunification, participants or changes to make."""
    return record | {
        "format": 5,
        "drill": False,
        "everyone_accounted_for": None,
        "reunification_completed": None,
        "participants": None,
        "changes_to_make": [],
    }


# From a format to the next: each takes a record of its format and returns the next one's.
UPCASTS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {
    1: _format_1_to_2,
    2: _format_2_to_3,
    3: _format_3_to_4,
    4: _format_4_to_5,
}


def fork(incident: Incident) -> Incident:
    """A copy of the incident that can be changed without changing the original."""
    copied = object.__new__(type(incident))
    state = {
        name: value.copy() if isinstance(value, list | dict | set) else value
        for name, value in vars(incident).items()
    }
    state["_pending_events"] = []
    copied.__dict__.update(state)
    return copied


class IncidentSnapshot(Snapshot):
    """An incident as of one version (its topic, domain.incident_state:IncidentSnapshot, is
    stored with every snapshot: keep it resolvable)."""

    @classmethod
    def take(cls, aggregate: Any) -> "IncidentSnapshot":
        incident: Incident = aggregate
        return cls(  # type: ignore[call-arg]
            originator_id=incident.id,
            originator_version=incident.version,
            timestamp=cls.create_timestamp(),
            topic=get_topic(type(incident)),
            state=record_of(incident),
        )

    def mutate(self, _: Any) -> Incident:
        return incident_from(self.originator_id, self.originator_version, self.state)


def record_of(incident: Incident) -> dict[str, Any]:
    """The incident's state in the stored form of FORMAT."""
    return {
        "format": FORMAT,
        "created_on": incident.created_on,
        "modified_on": incident.modified_on,
        "chain_head": incident.chain_head,
        "reference": incident.reference,
        "title": incident.title,
        "kind": incident.kind,
        "severity": incident.severity,
        "schools": list(incident.schools),
        "summary": incident.summary,
        "occurred_at": incident.occurred_at,
        "opened_by": incident.opened_by.as_dict(),
        "phase": incident.phase.value,
        "tasks": [_record(task) for task in incident.tasks.values()],
        "notes": [_record(note) for note in incident.notes.values()],
        "playbooks": [_record(playbook) for playbook in incident.playbooks],
        "milestones": [_record(milestone) for milestone in incident.milestones.values()],
        "closed": incident.closed,
        "closed_at": incident.closed_at,
        "review_summary": incident.review_summary,
        "times_reopened": incident.times_reopened,
        "shares": dict(incident.shares),
        "marked_confidential": incident.marked_confidential,
        "case_team": list(incident.case_team),
        "ended_shares": sorted(incident.ended_shares),
        "follows": incident.follows,
        "follow_ups": list(incident.follow_ups),
        "drill": incident.drill,
        "everyone_accounted_for": _maybe_record(incident.everyone_accounted_for),
        "reunification_completed": _maybe_record(incident.reunification_completed),
        "participants": _maybe_record(incident.participants),
        "changes_to_make": [_record(change) for change in incident.changes_to_make],
    }


def incident_from(incident_id: UUID, version: int, record: dict[str, Any]) -> Incident:
    """The incident a stored record (of any format up to FORMAT) describes."""
    record = dict(record)
    while record.get("format", 1) < FORMAT:
        record = UPCASTS[record.get("format", 1)](record)
    if record.get("format") != FORMAT:
        raise ValueError(f"a snapshot of format {record.get('format')!r} cannot be read here")
    incident = object.__new__(Incident)
    incident.__dict__.update(
        {
            "_id": incident_id,
            "_version": version,
            "_created_on": record["created_on"],
            "_modified_on": record["modified_on"],
            "_pending_events": [],
            "chain_head": record["chain_head"],
            "reference": record["reference"],
            "title": record["title"],
            "kind": record["kind"],
            "severity": record["severity"],
            "schools": list(record["schools"]),
            "summary": record["summary"],
            "occurred_at": record["occurred_at"],
            "opened_by": Actor.from_dict(record["opened_by"]),
            "phase": Phase(record["phase"]),
            "tasks": {t["id"]: _task_from(t) for t in record["tasks"]},
            "notes": {n["id"]: _note_from(n) for n in record["notes"]},
            "playbooks": [
                AppliedPlaybook(
                    **p | {"task_ids": tuple(p["task_ids"]), "measures": tuple(p["measures"])}
                )
                for p in record["playbooks"]
            ],
            "milestones": {
                m["id"]: RecordedMilestone(**m | {"by": Actor.from_dict(m["by"])})
                for m in record["milestones"]
            },
            "closed": record["closed"],
            "closed_at": record["closed_at"],
            "review_summary": record["review_summary"],
            "times_reopened": record["times_reopened"],
            "shares": dict(record["shares"]),
            "marked_confidential": record["marked_confidential"],
            "case_team": list(record["case_team"]),
            "ended_shares": set(record["ended_shares"]),
            "follows": record["follows"],
            "follow_ups": list(record["follow_ups"]),
            "drill": record["drill"],
            "everyone_accounted_for": _with_by(TimedMoment, record["everyone_accounted_for"]),
            "reunification_completed": _with_by(TimedMoment, record["reunification_completed"]),
            "participants": _with_by(Participants, record["participants"]),
            "changes_to_make": [_with_by(ChangeToMake, c) for c in record["changes_to_make"]],
        }
    )
    return incident


def _maybe_record(item: Any) -> dict[str, Any] | None:
    return None if item is None else _record(item)


def _with_by(cls: Any, record: dict[str, Any] | None) -> Any:
    """A recorded moment, count or change from its record (its `by` an actor's record)."""
    return None if record is None else cls(**record | {"by": Actor.from_dict(record["by"])})


def _plain(value: Any) -> Any:
    """A value of a task, note or playbook in its stored form."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Actor):
        return value.as_dict()
    if isinstance(value, Assignee):
        return {"kind": value.kind, "name": value.name}
    if isinstance(value, tuple):
        return list(value)
    return value


def _record(item: Any) -> dict[str, Any]:
    """A task, note or applied playbook as a record: its fields by name, in plain values."""
    return {field.name: _plain(getattr(item, field.name)) for field in fields(item)}


def _task_from(record: dict[str, Any]) -> Task:
    assignee, updated_by = record["assignee"], record["updated_by"]
    return Task(
        **record
        | {
            "phase": Phase(record["phase"]),
            "status": Status(record["status"]),
            "assignee": Assignee(assignee["kind"], assignee["name"]) if assignee else None,
            "updated_by": Actor.from_dict(updated_by) if updated_by else None,
        }
    )


def _note_from(record: dict[str, Any]) -> Note:
    return Note(
        **record
        | {"by": Actor.from_dict(record["by"]), "shared_with": tuple(record["shared_with"])}
    )
