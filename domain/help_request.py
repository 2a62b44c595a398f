"""A help request: a report or an ask sent from the public help page, and everything the help
desk does with it, as a hash-chained stream like an incident's.

The reporter is anonymous. The stream's id derives from a keyed digest of their case code (the
service makes it), so neither the id nor the topics say which code it is; the passphrase is in
the Received event only as a hash; what they wrote is event state, encrypted at rest. The desk
knows the request by its reference (H-0001). A closed request refuses every desk command; the
reporter can still read it."""

from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.chain import GENESIS
from domain.errors import DomainError
from domain.help_categories import check_category, check_route
from domain.help_reporter import (
    MAX_CONTACT,
    MAX_MESSAGE,
    MAX_WHEN,
    MAX_WORDS,
    check_language,
)
from domain.help_steps import OUTCOMES, REPORTER, STEADY, Escalation, Message, RoutedNeed
from domain.people import Actor
from domain.recording import ChainedEvent, RecordsInChain, chained
from domain.text import MAX_TITLE, check_text

RESOLVED = (
    "this request is resolved, so it takes no more messages: to tell the school something new, "
    "send a new report or ask"
)


def check_received(
    *,
    reference: str,
    route: str,
    category: str,
    school: str,
    when: str,
    words: str,
    contact: str,
    life_safety: bool,
    language: str,
    passphrase_hash: str,
) -> dict[str, Any]:
    """What a Received event records, checked: the service asks this before it hashes the
    passphrase, so a request refused costs no hashing."""
    checked_route = check_route(route)
    check_category(checked_route, category)
    if not isinstance(life_safety, bool):
        raise DomainError("say whether someone is in danger right now: true or false")
    return {
        "reference": reference,
        "route": checked_route,
        "category": category,
        "school": check_text("school", school, limit=MAX_TITLE, required=False),
        "when": check_text("when it happened", when, limit=MAX_WHEN, required=False),
        "words": check_text("what happened", words, limit=MAX_WORDS, multiline=True),
        "contact": check_text("how to contact you", contact, limit=MAX_CONTACT, required=False),
        "life_safety": life_safety,
        "language": check_language(language),
        "passphrase_hash": passphrase_hash,
    }


class HelpRequest(RecordsInChain, Aggregate):
    class Event(ChainedEvent):
        """Every help request event: who acted, and its place in the request's hash chain."""

    class Received(Event, Aggregate.Created):
        NAME = "help_received"

        reference: str
        route: str
        category: str
        school: str
        when: str
        words: str
        contact: str
        life_safety: bool
        language: str
        passphrase_hash: str

    class ReporterWrote(Event):
        NAME = "help_reporter_wrote"

        text: str

        def apply(self, request: "HelpRequest") -> None:
            request.messages.append(Message("reporter", self.text, self.timestamp, self.by))
            request.reporter_wrote_at = self.timestamp

    class Acknowledged(Event):
        NAME = "help_acknowledged"

        def apply(self, request: "HelpRequest") -> None:
            request.acknowledged_at = self.timestamp
            request.acknowledged_by = self.by
            request.desk_seen_at = self.timestamp

    class Assigned(Event):
        NAME = "help_assigned"

        username: str

        def apply(self, request: "HelpRequest") -> None:
            request.assigned_to = self.username

    class DeskWrote(Event):
        NAME = "help_desk_wrote"

        text: str
        asks_details: bool

        def apply(self, request: "HelpRequest") -> None:
            request.messages.append(
                Message("desk", self.text, self.timestamp, self.by, self.asks_details)
            )
            request.first_response_at = request.first_response_at or self.timestamp
            request.desk_seen_at = self.timestamp

    class Routed(Event):
        NAME = "help_routed"

        organisation: str
        need: str
        share_contact: bool

        def apply(self, request: "HelpRequest") -> None:
            request.routes.append(
                RoutedNeed(
                    self.organisation, self.need, self.share_contact, self.timestamp, self.by
                )
            )

    class ConvertedToIncident(Event):
        NAME = "help_converted_to_incident"

        incident_ref: str
        playbook_id: str

        def apply(self, request: "HelpRequest") -> None:
            request.incident_ref = self.incident_ref
            request.playbook_id = self.playbook_id

    class OpenedNeedsCase(Event):
        NAME = "help_opened_needs_case"

        person_ref: str

        def apply(self, request: "HelpRequest") -> None:
            request.person_ref = self.person_ref

    class Escalated(Event):
        NAME = "help_escalated"

        step: int
        username: str

        def apply(self, request: "HelpRequest") -> None:
            request.escalations.append(Escalation(self.step, self.username, self.timestamp))

    class MarkedSpam(Event):
        NAME = "help_marked_spam"

        reason: str

        def apply(self, request: "HelpRequest") -> None:
            request.spam = self.reason

    class Closed(Event):
        NAME = "help_closed"

        outcome: str

        def apply(self, request: "HelpRequest") -> None:
            request.outcome = self.outcome
            request.closed_at = self.timestamp

    @classmethod
    def receive(cls, *, id: UUID, at: datetime, **sent: Any) -> "HelpRequest":
        """A request as the reporter sent it (the service has checked and hashed the
        passphrase: the domain never sees it): the fields of check_received."""
        fields = check_received(**sent)
        return cls._create(
            cls.Received,
            id=id,
            timestamp=at,
            **chained(GENESIS, id, cls.Received, REPORTER, at, fields),
            **fields,
        )

    def __init__(
        self,
        *,
        reference: str,
        route: str,
        category: str,
        school: str,
        when: str,
        words: str,
        contact: str,
        life_safety: bool,
        language: str,
        passphrase_hash: str,
        event_hash: str,
        **_: Any,
    ) -> None:
        self.chain_head = event_hash
        self.reference = reference
        self.route = route
        self.category = category
        self.school = school
        self.when = when
        self.words = words
        self.contact = contact
        self.life_safety = life_safety
        self.language = language
        self.passphrase_hash = passphrase_hash
        self.received_at: datetime = self.created_on
        self.messages: list[Message] = []
        self.reporter_wrote_at: datetime | None = None
        self.desk_seen_at: datetime | None = None  # the desk's latest acknowledgement or message
        self.acknowledged_at: datetime | None = None
        self.acknowledged_by: Actor | None = None
        self.first_response_at: datetime | None = None
        self.assigned_to = ""
        self.routes: list[RoutedNeed] = []
        self.incident_ref = ""
        self.playbook_id = ""
        self.person_ref = ""
        self.escalations: list[Escalation] = []
        self.spam = ""  # why it was marked spam, if it was
        self.outcome = ""
        self.closed_at: datetime | None = None

    # -- reading ------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def status(self) -> str:
        """As the desk sees it: new, acknowledged or closed."""
        if self.closed:
            return "closed"
        return "acknowledged" if self.acknowledged_at else "new"

    @property
    def unread_from_reporter(self) -> bool:
        """The reporter wrote since the desk last acknowledged or wrote."""
        wrote = self.reporter_wrote_at
        return wrote is not None and (self.desk_seen_at is None or wrote > self.desk_seen_at)

    def routed_to(self, organisation: str) -> list[RoutedNeed]:
        return [r for r in self.routes if r.organisation == organisation]

    def state(self) -> dict[str, Any]:
        """Everything the request holds, as plain values: replay compares these exactly."""
        return {
            name: getattr(self, name)
            for name in (
                "reference", "route", "category", "school", "when", "words", "contact",
                "life_safety", "language", "passphrase_hash", "received_at", "messages",
                "acknowledged_at", "acknowledged_by", "first_response_at", "assigned_to",
                "routes", "incident_ref", "playbook_id", "person_ref", "escalations", "spam",
                "outcome", "closed_at", "chain_head",
            )
        }  # fmt: skip

    # -- the reporter -------------------------------------------------------------------------

    def reporter_writes(self, text: str, *, at: datetime) -> None:
        if self.closed:
            raise DomainError(RESOLVED)
        said = check_text("your message", text, limit=MAX_MESSAGE, multiline=True)
        self._record(self.ReporterWrote, REPORTER, at, text=said)

    # -- the desk -----------------------------------------------------------------------------

    def _open(self, action: str) -> None:
        if self.closed:
            raise DomainError(
                f"{self.reference} is closed ({self.outcome}): it can no longer {action}; "
                "a new report from the reporter comes in as a new request"
            )

    def acknowledge(self, *, actor: Actor, at: datetime) -> None:
        self._open("be acknowledged")
        if self.acknowledged_at is not None:
            by = self.acknowledged_by.user if self.acknowledged_by else "someone"
            raise DomainError(f"{self.reference} is already acknowledged, by {by}")
        self._record(self.Acknowledged, actor, at)

    def assign(self, username: str, *, actor: Actor, at: datetime) -> None:
        self._open("be assigned")
        name = username.strip().lower() if isinstance(username, str) else ""
        if not name:
            raise DomainError("say who works this request, by their username, such as k.okafor")
        if name == self.assigned_to:
            raise DomainError(f"{self.reference} is already assigned to {name}")
        self._record(self.Assigned, actor, at, username=name)

    def write_to_reporter(
        self, text: str, *, asks_details: bool = False, actor: Actor, at: datetime
    ) -> None:
        self._open("take messages")
        said = check_text("the message to the reporter", text, limit=MAX_MESSAGE, multiline=True)
        self._record(self.DeskWrote, actor, at, text=said, asks_details=bool(asks_details))

    def route_to(
        self,
        organisation: str,
        need: str,
        *,
        share_contact: bool = False,
        actor: Actor,
        at: datetime,
    ) -> None:
        self._open("be routed")
        org = organisation.strip().lower() if isinstance(organisation, str) else ""
        if not org:
            raise DomainError("say which partner organisation takes the need, by its id")
        if self.routed_to(org):
            raise DomainError(f"{self.reference} is already routed to {org}")
        if share_contact and not self.contact:
            raise DomainError(
                "the reporter left no way to contact them, so there is no contact to share"
            )
        said = check_text("the need the partner is asked to meet", need, limit=MAX_MESSAGE,
                          multiline=True)  # fmt: skip
        self._record(
            self.Routed, actor, at, organisation=org, need=said, share_contact=bool(share_contact)
        )

    def converted_to_incident(
        self, incident_ref: str, playbook_id: str, *, actor: Actor, at: datetime
    ) -> None:
        self._open("be converted")
        self.check_convertible()
        self._record(
            self.ConvertedToIncident, actor, at, incident_ref=incident_ref, playbook_id=playbook_id
        )

    def check_convertible(self) -> None:
        """Asked before the incident is opened, so a refusal opens nothing."""
        self._open("be converted")
        if self.route != "report":
            raise DomainError(
                f"{self.reference} is an ask for help, not a report: open a needs case for it "
                "instead of an incident"
            )
        if self.incident_ref:
            raise DomainError(f"{self.reference} was already converted into {self.incident_ref}")

    def opened_needs_case(self, person_ref: str, *, actor: Actor, at: datetime) -> None:
        self.check_needs_case()
        self._record(self.OpenedNeedsCase, actor, at, person_ref=person_ref)

    def check_needs_case(self) -> None:
        self._open("open a needs case")
        if self.person_ref:
            raise DomainError(f"{self.reference} already has its needs case, {self.person_ref}")

    def escalated(self, step: int, username: str, *, at: datetime) -> None:
        """An on-call person was told of a life-safety request no one has acknowledged."""
        self._open("be escalated")
        if not self.life_safety or self.acknowledged_at is not None:
            raise DomainError(f"{self.reference} needs no escalation: no one is waiting on it")
        expected = len(self.escalations) + 1
        if step != expected:
            raise DomainError(
                f"{self.reference} is at escalation step {expected - 1}, not {step - 1}"
            )
        self._record(self.Escalated, STEADY, at, step=step, username=username)

    def mark_spam(self, reason: str, *, actor: Actor, at: datetime) -> None:
        self._open("be marked spam")
        if self.spam:
            raise DomainError(f"{self.reference} is already marked spam: {self.spam}")
        said = check_text("why it is spam", reason, limit=MAX_TITLE)
        self._record(self.MarkedSpam, actor, at, reason=said)

    def close(self, outcome: str, *, actor: Actor, at: datetime) -> None:
        self._open("be closed again")
        if outcome not in OUTCOMES:
            raise DomainError(f"outcome {outcome!r} is not one: give one of {', '.join(OUTCOMES)}")
        self._record(self.Closed, actor, at, outcome=outcome)
