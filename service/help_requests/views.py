"""What the help requests service answers with: typed values, so the API's document says
exactly what each answer holds. The reporter's view holds only their own conversation; a
partner's only the need routed to them."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class NewCase:
    reference: str  # the desk's H-0001
    case_code: str  # the reporter's XXXX-XXXX-XXXX: shown once, never stored as it is


@dataclass(frozen=True)
class ReporterMessage:
    who: str  # "you" or "school"
    text: str
    at: datetime
    asks_details: bool = False


@dataclass(frozen=True)
class ReporterView:
    reference: str
    route: str
    category: str
    received_at: datetime
    status: str  # "received", "in progress" or "resolved"
    messages: list[ReporterMessage]  # what they sent first, then the conversation in order
    outcome: str = ""  # when resolved: what the reporter is told of how it ended
    language: str = "en"


@dataclass(frozen=True)
class QueueItem:
    reference: str
    route: str
    category: str
    life_safety: bool
    school: str
    received_at: datetime
    acknowledged_at: datetime | None
    first_response_at: datetime | None
    target_minutes: int
    due_at: datetime  # received_at + the target: the first response is late after it
    status: str  # "new", "acknowledged" or "closed"
    assigned_to: str
    escalated_to: list[str]
    spam: bool
    unread_from_reporter: bool


@dataclass(frozen=True)
class DeskMessage:
    who: str  # "reporter" or "desk"
    text: str
    at: datetime
    by: str  # the desk member's username; "reporter" for the reporter
    asks_details: bool = False


@dataclass(frozen=True)
class RoutedNeedView:
    organisation: str
    need: str
    share_contact: bool
    at: datetime
    by: str


@dataclass(frozen=True)
class EscalationView:
    step: int
    username: str
    at: datetime


@dataclass(frozen=True)
class CaseEvent:
    """One event of the request's stream, as the desk's history shows it."""

    version: int
    type: str  # the event's stable name, such as help_received
    at: datetime
    by: str
    role: str


@dataclass(frozen=True)
class DeskCase:
    reference: str
    route: str
    category: str
    category_name: str
    life_safety: bool
    school: str
    when: str
    words: str
    contact: str
    language: str
    status: str
    received_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str
    first_response_at: datetime | None
    target_minutes: int
    due_at: datetime
    assigned_to: str
    messages: list[DeskMessage]
    routes: list[RoutedNeedView]
    escalations: list[EscalationView]
    incident_ref: str
    playbook_id: str
    suggested_playbook: str | None
    person_ref: str
    spam: str  # why it was marked spam ("" if it was not)
    outcome: str
    closed_at: datetime | None
    unread_from_reporter: bool
    events: list[CaseEvent] = field(default_factory=list)


@dataclass(frozen=True)
class RoutedCase:
    """What a partner organisation sees of a request routed to it: never the reporter's words
    or messages, the contact only when the desk shared it."""

    reference: str
    category: str
    category_name: str
    school: str
    need: str
    received_at: datetime
    routed_at: datetime
    contact: str  # "" unless the desk shared it with this organisation
    status: str
