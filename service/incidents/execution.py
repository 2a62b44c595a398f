"""How an incident command runs: its options, its receipt, its writer and its save.

A command names its options (CommandOptions), is answered again from its receipt when it
carries an idempotency key already used, is refused when its incident changed since the version
it was based on (service.incidents.conflicts), and is decided and saved by its incident's one
writer in this process (service.incidents.writers), which decides it again on the latest
incident when another process saved first.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Required, TypedDict
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import ApplicationRecorder, EventStore, IntegrityError

from domain.incident import Incident
from domain.people import Actor
from domain.reference import ReferenceSequence
from service.incidents.conflicts import check_unchanged
from service.incidents.idempotency import Receipt, check_key, fingerprint
from service.incidents.writers import Answered, Change, Decision, IncidentWriters
from service.live.feed_events import FeedEvent
from service.store.streams import select_stream


class CommandOptions(TypedDict, total=False):
    """What every incident command takes besides its own fields, by keyword."""

    actor: Required[Actor]  # who gives the command: recorded on every event
    idempotency_key: str | None  # the same key again returns the first result
    based_on_version: int | None  # refuse if the incident changed since (a conflict)
    at: datetime | None  # the moment; only the demo and imports backdate, the API never does
    # Which events the caller may see (a partner sees few): a conflict is decided on and told
    # from those only, so a refusal says nothing of the rest.
    visible: Callable[[FeedEvent], bool] | None


@dataclass(frozen=True)
class CommandResult:
    """What a command returns, and what a retried command with the same key returns again."""

    incident_id: UUID
    reference: str
    version: int
    position: int | None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": str(self.incident_id),
            "reference": self.reference,
            "version": self.version,
            "position": self.position,
            **self.detail,
        }


@dataclass(frozen=True)
class SavedWith:
    """What a change returns when it also makes other aggregates (a follow-up incident and the
    reference sequence it took its number from): they are saved in the incident's own save,
    one transaction, so the record never holds one without the other."""

    detail: dict[str, Any]
    others: tuple[Aggregate, ...]


@dataclass(frozen=True)
class Command:
    name: str
    arguments: dict[str, Any]
    actor: Actor
    idempotency_key: str | None = None
    based_on_version: int | None = None
    at: datetime | None = None  # only the demo and imports backdate; the API never does


class CommandExecution:
    """The part of the application (service.incidents.application.Steady) that runs commands."""

    # Given by the application it is part of.
    repository: Repository
    recorder: ApplicationRecorder
    events: EventStore
    clock: Callable[[], datetime]
    writers: IncidentWriters
    _references: dict[UUID, str]

    def result_of(self, idempotency_key: str, *, actor: Actor) -> CommandResult | None:
        """The result of the command that carried this key from this actor, if one took
        effect."""
        receipt = self._receipt(check_key(idempotency_key), actor)
        return self._result_from(receipt) if receipt else None

    def _execute(
        self,
        ref: str,
        name: str,
        arguments: dict[str, Any],
        change: Callable[[Incident, datetime, Actor], dict[str, Any] | SavedWith],
        *,
        actor: Actor,
        idempotency_key: str | None = None,
        based_on_version: int | None = None,
        task_id: str | None = None,
        at: datetime | None = None,
        visible: Callable[[FeedEvent], bool] | None = None,
    ) -> CommandResult:
        """`visible` tells which events the caller may see (a partner sees few): a conflict
        is decided on and told from those only, so a refusal says nothing of the rest."""
        incident_id = self.find(ref)
        command = Command(
            name,
            {"incident": str(incident_id), **arguments},
            actor,
            idempotency_key,
            based_on_version,
            at,
        )
        previous = self._previous_result(command, reference=ref)
        if previous:
            return previous

        def decide(incident: Incident, retrying: bool) -> Change[CommandResult] | Answered:
            if retrying:  # an earlier save may have been refused because this key was used
                previous = self._previous_result(command, reference=ref)
                if previous:
                    return Answered(previous)
            if based_on_version is not None:
                check_unchanged(
                    incident, based_on_version, name, task_id, self.incident_events, visible
                )
            changed = change(incident, self._now(command), actor)
            detail, others = (
                (changed.detail, changed.others)
                if isinstance(changed, SavedWith)
                else (changed, ())
            )
            receipt = self._receipt_for(command, incident, detail)

            def result(version: int, position: int | None) -> CommandResult:
                for other in others:  # a new incident among them is found without a query
                    if isinstance(other, Incident):
                        self._references[other.id] = other.reference
                return CommandResult(incident.id, incident.reference, version, position, detail)

            return Change((*others, *((receipt,) if receipt else ())), result)

        decision = Decision(
            decide,
            too_busy=f"{ref} is changing too fast to apply {name} now; try again",
            alone=based_on_version is not None,  # its check reads the stored events
            key=self._receipt_id(idempotency_key, actor) if idempotency_key else None,
        )
        return self.writers.run(incident_id, decision)

    def _save(
        self,
        command: Command,
        incident: Incident,
        *others: Aggregate,
        detail: dict[str, Any],
    ) -> CommandResult | None:
        """Saves a new incident's events, with its receipt; None when another writer won."""
        receipt = self._receipt_for(command, incident, detail)
        try:
            recordings = self.save(incident, *others, receipt)
        except IntegrityError:
            previous = self._previous_result(command, reference=incident.reference)
            if previous:
                return previous
            return None
        positions = [
            r.notification.id for r in recordings if r.domain_event.originator_id == incident.id
        ]
        self._references[incident.id] = incident.reference
        return CommandResult(
            incident.id, incident.reference, incident.version, positions[-1], detail
        )

    def _receipt_for(
        self, command: Command, incident: Incident, detail: dict[str, Any]
    ) -> Receipt | None:
        """The receipt that answers the command again if its key comes back, as of the
        incident's version after it."""
        if not command.idempotency_key:
            return None
        return Receipt.record(
            command.idempotency_key,
            receipt_id=self._receipt_id(command.idempotency_key, command.actor),
            command=command.name,
            fingerprint=fingerprint(command.name, command.arguments),
            incident_id=incident.id,
            reference=incident.reference,
            version=incident.version,
            detail=detail,
        )

    def _previous_result(self, command: Command, *, reference: str) -> CommandResult | None:
        key = command.idempotency_key
        if not key:
            return None
        receipt = self._receipt(check_key(key), command.actor)
        if receipt is None:
            return None
        receipt.check_same_request(key, command.name, fingerprint(command.name, command.arguments))
        return self._result_from(receipt)

    def _receipt_id(self, key: str, actor: Actor) -> UUID:
        # Keys are scoped per account: another account's key is never found, so never named
        # back (nor its answer replayed), and the id says nothing of who sent which key.
        return self.private_id("idempotency", actor.user, key)

    def _receipt(self, key: str, actor: Actor) -> Receipt | None:
        """The actor's receipt for the key; or one stored before keys were per account (under
        the key alone), if the command it records was this actor's."""
        try:
            return self.repository.get(self._receipt_id(key, actor))
        except AggregateNotFoundError:
            pass
        try:
            legacy: Receipt = self.repository.get(Receipt.id_for(key))
        except AggregateNotFoundError:
            return None
        last = list(self.events.get(legacy.incident_id, gt=legacy.version - 1, lte=legacy.version))
        mine = bool(last) and last[0].actor.get("user") == actor.user  # type: ignore[attr-defined]
        return legacy if mine else None

    def _result_from(self, receipt: Receipt) -> CommandResult:
        stream = select_stream(
            self.recorder, receipt.incident_id, after_version=receipt.version - 1
        )
        return CommandResult(
            receipt.incident_id,
            receipt.reference,
            receipt.version,
            stream[0].id if stream else None,
            receipt.detail,
        )

    def _reference_sequence(self, year: int) -> ReferenceSequence:
        try:
            return self.repository.get(ReferenceSequence.id_for(year))
        except AggregateNotFoundError:
            return ReferenceSequence.start(year)

    def _now(self, command: Command) -> datetime:
        return command.at or self.clock()
