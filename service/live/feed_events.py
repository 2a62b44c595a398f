"""Feed events: an incident's domain events as readers outside the domain see them."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.incident import Incident
from domain.recording import event_fields

EVENT_CLASSES: list[type[Incident.Event]] = [
    Incident.Opened,
    Incident.PlaybookApplied,
    Incident.TaskAdded,
    Incident.TaskAssigned,
    Incident.TaskStatusChanged,
    Incident.NoteAdded,
    Incident.NoteCorrected,
    Incident.NoteShared,
    Incident.Shared,
    Incident.ShareEnded,
    Incident.SeverityChanged,
    Incident.PhaseAdvanced,
    Incident.Closed,
    Incident.Reopened,
    Incident.MarkedConfidential,
    Incident.UnmarkedConfidential,
    Incident.CaseTeamMemberAdded,
    Incident.CaseTeamMemberRemoved,
    Incident.MilestoneRecorded,
    Incident.TaskRescheduled,
    Incident.TasksCarriedOver,
    Incident.TasksCarriedIn,
    Incident.EveryoneAccountedFor,
    Incident.ReunificationCompleted,
    Incident.ParticipantsRecorded,
    Incident.ChangeToMakeRecorded,
]
INCIDENT_TOPICS = [get_topic(cls) for cls in EVENT_CLASSES]


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
    drill: bool = False  # the incident is a drill: every reader must be able to tell

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "incident": {
                "id": str(self.incident_id),
                "reference": self.reference,
                "drill": self.drill,
            },
            "version": self.version,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "data": plain(self.data),
        }


def event_data(event: Incident.Event) -> dict[str, Any]:
    return event_fields(event)


def to_feed_event(
    position: int, reference: str, event: Incident.Event, *, drill: bool = False
) -> FeedEvent:
    return FeedEvent(
        position=position,
        incident_id=event.originator_id,
        reference=reference,
        version=event.originator_version,
        type=event.NAME,
        at=event.timestamp,
        actor=dict(event.actor),
        data=event_data(event),
        event=event,
        drill=drill,
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
