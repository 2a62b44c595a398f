"""How aggregates record events: the base event that says who acted (`actor`, read back as
`by`), the rule that a stream's moments never run backwards, aggregates there is one of, and the
incident's hash chain, where each event carries the hash before it and its own (see
docs/architecture.md, "The event log is the source of truth" and "Events are a contract")."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar, Self
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import moments
from domain.chain import event_hash
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor


class ActorEvent(Aggregate.Event):
    """An event that records who made the change, and in which role."""

    actor: dict[str, str]

    @property
    def by(self) -> Actor:
        return Actor.from_dict(self.actor)


class RecordsWhoActed:
    """Mixed into an aggregate whose events are ActorEvents: `_record` triggers one."""

    modified_on: datetime
    trigger_event: Callable[..., None]

    def _record(
        self, event_class: type[ActorEvent], actor: Actor, at: datetime, **fields: Any
    ) -> None:
        self.trigger_event(
            event_class, timestamp=in_order(self, at), actor=actor.as_dict(), **fields
        )


class OneOfItsKind(RecordsWhoActed):
    """Mixed into an aggregate there is one of: its id derives from a fixed name (ID_NAME), and
    its stream begins with a Started event saying who first needed it."""

    ID_NAME: str
    Started: type[ActorEvent]
    _create: Callable[..., Any]

    @classmethod
    def id_for(cls) -> UUID:
        return uuid5(STEADY_NAMESPACE, cls.ID_NAME)

    @classmethod
    def start(cls, *, actor: Actor, at: datetime) -> Self:
        return cls._create(cls.Started, id=cls.id_for(), timestamp=at, actor=actor.as_dict())


def in_order(aggregate: Any, at: datetime) -> datetime:
    """Keeps each stream's timestamps in order even if writers' clocks disagree slightly."""
    return max(at, aggregate.modified_on)


class ChainedEvent(ActorEvent):
    """An event in a hash chain: it carries the hash of the event before it and its own."""

    NAME = "event"  # the stable public name of the event's type, also hashed
    # Fields a later class_version added (with an upcast that fills them in empty): hashed only
    # when they hold something, so an event recorded before they existed keeps its hash.
    ADDED_LATER: ClassVar[frozenset[str]] = frozenset()
    # Version 2 added the hash chain; version 1 events (none were ever shipped) load unchained.
    class_version = 2

    previous_hash: str
    event_hash: str

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["previous_hash"] = ""
        state["event_hash"] = ""

    def mutate(self, aggregate: Any) -> Any:
        aggregate = super().mutate(aggregate)
        aggregate.chain_head = self.event_hash
        return aggregate

    def computed_hash(self) -> str:
        """The hash this event's content gives: differs from event_hash if it was altered."""
        return event_hash(
            self.previous_hash,
            incident_id=self.originator_id,
            event_type=self.NAME,
            at=self.timestamp,
            actor=self.actor,
            data=event_fields(self),
        )


def chained(
    previous_hash: str,
    stream_id: UUID,
    event_class: type[ChainedEvent],
    actor: Actor,
    at: datetime,
    fields: dict[str, Any],
) -> dict[str, Any]:
    """What a chained event records besides its fields: who, and the hashes that link it."""
    return {
        "actor": actor.as_dict(),
        "previous_hash": previous_hash,
        "event_hash": event_hash(
            previous_hash,
            incident_id=stream_id,
            event_type=event_class.NAME,
            at=at,
            actor=actor.as_dict(),
            data=hashed(event_class, fields),
        ),
    }


def hashed(event_class: type[ChainedEvent], fields: dict[str, Any]) -> dict[str, Any]:
    """What of an event's fields its hash covers (all but empty ADDED_LATER ones)."""
    later = event_class.ADDED_LATER
    return {k: v for k, v in fields.items() if k not in later or v}


class RecordsInChain:
    """Mixed into an aggregate whose events are ChainedEvents: `_record` checks the moment and
    links the event onto the stream's `chain_head`."""

    id: UUID
    chain_head: str
    modified_on: datetime
    trigger_event: Callable[..., None]

    def _record(
        self, event_class: type[ChainedEvent], actor: Actor, at: datetime, **fields: Any
    ) -> None:
        moments.check_moment("at", at)
        timestamp = in_order(self, at)
        links = chained(self.chain_head, self.id, event_class, actor, timestamp, fields)
        self.trigger_event(event_class, timestamp=timestamp, **links, **fields)


BASE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "previous_hash",
        "event_hash",
    }
)


def event_fields(event: ChainedEvent) -> dict[str, Any]:
    """What an event says, without who, when, where in the stream, or its hashes (and without
    the empty fields it gained later, as its hash has them: an export rechecks it from this)."""
    said = {k: v for k, v in event.__dict__.items() if k not in BASE_FIELDS}
    return hashed(type(event), said)
