"""Feed events: an incident's domain events as readers outside the domain see them."""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.incident import Incident

EVENT_TYPES: dict[type[Incident.Event], str] = {
    Incident.Opened: "incident_opened",
    Incident.PlaybookApplied: "playbook_applied",
    Incident.TaskAdded: "task_added",
    Incident.TaskAssigned: "task_assigned",
    Incident.TaskStatusChanged: "task_status_changed",
    Incident.NoteAdded: "note_added",
    Incident.NoteCorrected: "note_corrected",
    Incident.SeverityChanged: "severity_changed",
    Incident.PhaseAdvanced: "phase_advanced",
    Incident.Closed: "incident_closed",
    Incident.Reopened: "incident_reopened",
}
INCIDENT_TOPICS = [get_topic(cls) for cls in EVENT_TYPES]
_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}


@dataclass(frozen=True)
class FeedEvent:
    position: int
    incident_id: UUID
    reference: str
    version: int
    type: str
    at: datetime
    actor: dict[str, str]
    data: dict[str, Any]
    event: Incident.Event

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "incident": {"id": str(self.incident_id), "reference": self.reference},
            "version": self.version,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "data": plain(self.data),
        }


def event_data(event: Incident.Event) -> dict[str, Any]:
    return {k: v for k, v in event.__dict__.items() if k not in _BASE_FIELDS}


def to_feed_event(position: int, reference: str, event: Incident.Event) -> FeedEvent:
    return FeedEvent(
        position=position,
        incident_id=event.originator_id,
        reference=reference,
        version=event.originator_version,
        type=EVENT_TYPES[type(event)],
        at=event.timestamp,
        actor=dict(event.actor),
        data=event_data(event),
        event=event,
    )


def plain(value: Any) -> Any:
    """JSON-ready copy: datetimes as ISO text, ids as strings."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def humanize_type(event_type: str) -> str:
    return re.sub("_", " ", event_type).capitalize()
