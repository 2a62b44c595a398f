"""What a help request holds besides what the reporter sent, as values: the messages of the
two-way conversation, the needs routed to partners, the escalations, and the outcomes a desk
closes with (each with what the reporter is told of it)."""

from dataclasses import dataclass
from datetime import datetime

from domain.people import Actor

REPORTER = Actor("reporter", "reporter")  # who every reporter's event is recorded as
STEADY = Actor("steady", "system")  # Steady itself: the spam check at receipt, escalations
# How a desk closes a request, with what the reporter is told of it (never the desk's notes).
OUTCOMES: dict[str, str] = {
    "resolved": "The school looked into this and dealt with it.",
    "referred": "The school passed this to people who can help.",
    "incident": "The school's crisis team is handling this.",
    "no-action": "The school looked into this; no further action is needed.",
    "spam": "This request was closed.",
}


@dataclass(frozen=True)
class Message:
    """One message of the two-way conversation: from the reporter or to them."""

    who: str  # "reporter" or "desk"
    text: str
    at: datetime
    by: Actor
    asks_details: bool = False


@dataclass(frozen=True)
class RoutedNeed:
    """A need routed to a partner organisation, which sees only this of the request."""

    organisation: str
    need: str
    share_contact: bool
    at: datetime
    by: Actor


@dataclass(frozen=True)
class Escalation:
    step: int
    username: str
    at: datetime
