"""The commands and queries the outside world uses: CLI today, the web board next."""

import hashlib
import hmac
import random
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar
from uuid import UUID, uuid5

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError
from eventsourcing.utils import Environment

from domain.errors import Conflict, DomainError, NotFound
from domain.ids import STEADY_NAMESPACE
from domain.incident import Incident
from domain.moments import check_moment
from domain.organisation import Organisation, StandIns
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.reference import ReferenceSequence
from domain.sharing import StandIn
from domain.task import Status, TaskPlan
from playbooks.library import Library
from service.incidents.board import Board
from service.incidents.idempotency import Receipt, check_key, fingerprint
from service.live.feed_events import INCIDENT_TOPICS, FeedEvent, to_feed_event
from service.store.folding import fold
from service.store.keys import id_key
from service.store.streams import select_stream

REFERENCE_PATTERN = re.compile(r"^INC-(\d{4})-(\d{4,})$", re.IGNORECASE)
MAX_ATTEMPTS = 25
MAX_FEED_LIMIT = 1000

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


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
class Command:
    name: str
    arguments: dict[str, Any]
    actor: Actor
    idempotency_key: str | None = None
    based_on_version: int | None = None
    at: datetime | None = None  # only the demo and imports backdate; the API never does


class Steady(Application[UUID]):
    name = "Steady"
    env: ClassVar[dict[str, str]] = {
        # Decoding is most of the cost of replaying a long incident; this reads the same format.
        "TRANSCODER_TOPIC": "service.store.transcoder:FastJSONTranscoder",
        # No aggregate cache: copying a cached incident for each command measured slower than
        # replaying it (bench/append.py: 509 against 639 commands/s, 16 writers, 1-51 events).
    }

    def __init__(
        self,
        env: dict[str, str] | None = None,
        *,
        playbooks: Library | None = None,
        clock: Clock = utc_now,
    ) -> None:
        super().__init__(env)
        self.playbooks = playbooks if playbooks is not None else Library.load()
        self.clock = clock
        self._references: dict[UUID, str] = {}
        self.board = Board(self.events_after)
        self._id_key = id_key(self.env.get("CIPHER_KEY") or "")
        # Called after every save in this process, e.g. to wake the live feed at once.
        self.after_save: list[Callable[[], None]] = []

    def private_id(self, purpose: str, *parts: str) -> UUID:
        """An id for a stream named after something personal (a username, say), derived with
        the store's key: stable across processes sharing the store, meaningless without it."""
        text = "\n".join(parts)
        digest = hmac.new(self._id_key, f"{purpose}\n{text}".encode(), hashlib.sha256)
        return uuid5(STEADY_NAMESPACE, f"{purpose}/{digest.hexdigest()}")

    def id_secret(self, purpose: str) -> bytes:
        """A secret, derived from the store's key, for ids made by the domain (views)."""
        return hmac.new(self._id_key, f"{purpose}\n".encode(), hashlib.sha256).digest()

    def construct_env(self, name: str, env: Mapping[str, str] | None = None) -> Environment:
        """Only what Steady's settings give: the library would also read the process
        environment, where its app-scoped names (STEADY_CIPHER_KEY among them) would
        silently override what the settings chose."""
        return Environment(name, {**type(self).env, **(env or {})})

    def save(self, *objs: Any, **kwargs: Any) -> Any:
        recordings = super().save(*objs, **kwargs)
        for hook in self.after_save:
            hook()
        return recordings

    # -- commands -----------------------------------------------------------------------------

    def open_incident(
        self,
        *,
        title: str,
        kind: str,
        severity: int,
        schools: list[str],
        summary: str = "",
        occurred_at: datetime | None = None,
        actor: Actor,
        idempotency_key: str | None = None,
        at: datetime | None = None,
    ) -> CommandResult:
        arguments = {
            "title": title,
            "kind": kind,
            "severity": severity,
            "schools": schools,
            "summary": summary,
            "occurred_at": occurred_at,
        }
        command = Command("open_incident", arguments, actor, idempotency_key, at=at)
        previous = self._previous_result(command, reference="")
        if previous:
            return previous
        for _ in range(MAX_ATTEMPTS):
            now = self._now(command)
            sequence = self._reference_sequence(now.year)
            reference = sequence.next_reference()
            incident = Incident.open(
                reference=reference,
                title=title,
                kind=kind,
                severity=severity,
                schools=schools,
                summary=summary,
                occurred_at=occurred_at or now,
                actor=actor,
                at=now,
            )
            result = self._save(command, incident, sequence, detail={})
            if result:
                return result
        raise DomainError("the store is too busy to open the incident now; try again")

    def apply_playbook(self, ref: str, playbook_id: str, **options: Any) -> CommandResult:
        playbook = self.playbooks.get(playbook_id)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            steps = [
                TaskPlan(
                    title=step.title,
                    instructions=step.instructions,
                    phase=phase.phase,
                    owner_role=step.owner,
                    due_at=step.due.after(incident.occurred_at),
                    stakeholder=step.stakeholder,
                    component=step.component,
                    playbook_id=playbook.id,
                    step_id=step.id,
                )
                for phase, step in playbook.steps()
            ]
            task_ids = incident.apply_playbook(
                playbook_id=playbook.id,
                version=playbook.version,
                content_hash=playbook.content_hash,
                title=playbook.title,
                steps=steps,
                actor=actor,
                at=now,
            )
            # In the same save as the playbook: replay never shows its tasks without the
            # partners who stand in for their roles, nor the partners without the tasks.
            handover = incident.hand_to_stand_ins(task_ids, self.stand_ins(), actor=actor, at=now)
            return {"task_ids": task_ids, **handover.as_dict()}

        return self._execute(ref, "apply_playbook", {"playbook_id": playbook_id}, change, **options)

    def add_task(
        self,
        ref: str,
        *,
        title: str,
        owner_role: str,
        phase: str | None = None,
        instructions: str = "",
        due_at: datetime | None = None,
        **options: Any,
    ) -> CommandResult:
        arguments = {
            "title": title,
            "owner_role": owner_role,
            "phase": phase,
            "instructions": instructions,
            "due_at": due_at,
        }

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            plan = TaskPlan(
                title=title,
                instructions=instructions,
                phase=Phase.parse(phase) if phase else incident.phase,
                owner_role=owner_role,
                due_at=due_at,
            )
            return {"task_id": incident.add_task(plan, actor=actor, at=now)}

        return self._execute(ref, "add_task", arguments, change, **options)

    def assign_task(
        self, ref: str, task_id: str, *, kind: str, name: str, **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.assign_task(task_id, Assignee(kind, name.strip()), actor=actor, at=now)
            return {"task_id": task_id}

        arguments = {"task_id": task_id, "kind": kind, "name": name}
        return self._execute(ref, "assign_task", arguments, change, task_id=task_id, **options)

    def change_task_status(
        self,
        ref: str,
        task_id: str,
        status: str,
        *,
        reason: str = "",
        note: str = "",
        **options: Any,
    ) -> CommandResult:
        to = Status.parse(status)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.change_task_status(task_id, to, reason=reason, note=note, actor=actor, at=now)
            return {"task_id": task_id, "status": to.value}

        arguments = {"task_id": task_id, "status": to.value, "reason": reason, "note": note}
        return self._execute(
            ref, "change_task_status", arguments, change, task_id=task_id, **options
        )

    def add_note(
        self,
        ref: str,
        text: str,
        *,
        task_id: str = "",
        share_with: Sequence[str] = (),
        **options: Any,
    ) -> CommandResult:
        """Adds a note, shared with the partner organisations named (in the same save, so a
        partner's note is never stored unshared with their own organisation)."""
        organisations = list(dict.fromkeys(share_with))

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            note_id = incident.add_note(text, task_id=task_id, actor=actor, at=now)
            for organisation in organisations:
                incident.share_note(note_id, organisation, actor=actor, at=now)
            return {"note_id": note_id}

        arguments: dict[str, Any] = {"text": text, "task_id": task_id}
        if organisations:
            arguments["share_with"] = organisations
        return self._execute(ref, "add_note", arguments, change, **options)

    def share_note(
        self, ref: str, note_id: str, organisation: str, **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.share_note(note_id, organisation, actor=actor, at=now)
            return {"note_id": note_id, "organisation": organisation}

        arguments = {"note_id": note_id, "organisation": organisation}
        return self._execute(ref, "share_note", arguments, change, **options)

    def share_incident(
        self, ref: str, organisation: str, name: str, **options: Any
    ) -> CommandResult:
        """Shares the incident with a partner organisation; the caller has checked that the
        organisation exists and is a partner (the accounts live in another application)."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.share(organisation, name, actor=actor, at=now)
            return {"organisation": organisation}

        arguments = {"organisation": organisation, "name": name}
        return self._execute(ref, "share_incident", arguments, change, **options)

    def end_share(
        self, ref: str, organisation: str, *, reason: str = "", **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.end_share(organisation, reason=reason, actor=actor, at=now)
            return {"organisation": organisation}

        arguments = {"organisation": organisation, "reason": reason}
        return self._execute(ref, "end_share", arguments, change, **options)

    def correct_note(
        self, ref: str, note_id: str, text: str, *, reason: str, **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            new_id = incident.correct_note(note_id, text, reason=reason, actor=actor, at=now)
            return {"note_id": new_id, "corrects": note_id}

        arguments = {"note_id": note_id, "text": text, "reason": reason}
        return self._execute(ref, "correct_note", arguments, change, **options)

    def change_severity(
        self, ref: str, severity: int, *, reason: str = "", **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.change_severity(severity, reason=reason, actor=actor, at=now)
            return {"severity": severity}

        arguments = {"severity": severity, "reason": reason}
        return self._execute(ref, "change_severity", arguments, change, **options)

    def advance_phase(self, ref: str, phase: str, **options: Any) -> CommandResult:
        to = Phase.parse(phase)

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.advance_phase(to, actor=actor, at=now)
            return {"phase": to.value}

        return self._execute(ref, "advance_phase", {"phase": to.value}, change, **options)

    def close_incident(self, ref: str, review_summary: str, **options: Any) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.close(review_summary, actor=actor, at=now)
            return {}

        arguments = {"review_summary": review_summary}
        return self._execute(ref, "close_incident", arguments, change, **options)

    def reopen_incident(
        self, ref: str, reason: str, *, phase: str | None = None, **options: Any
    ) -> CommandResult:
        to = Phase.parse(phase) if phase else None

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.reopen(reason, phase=to, actor=actor, at=now)
            return {"phase": incident.phase.value}

        arguments = {"reason": reason, "phase": phase}
        return self._execute(ref, "reopen_incident", arguments, change, **options)

    def mark_confidential(self, ref: str, *, reason: str = "", **options: Any) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.mark_confidential(reason=reason, actor=actor, at=now)
            return {"confidential": True}

        return self._execute(ref, "mark_confidential", {"reason": reason}, change, **options)

    def unmark_confidential(self, ref: str, *, reason: str, **options: Any) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.unmark_confidential(reason=reason, actor=actor, at=now)
            return {"confidential": incident.confidential}

        return self._execute(ref, "unmark_confidential", {"reason": reason}, change, **options)

    def add_to_case_team(self, ref: str, username: str, **options: Any) -> CommandResult:
        """Adds a person to the case team; the caller has checked that the account exists and
        may join one (the accounts live in another application)."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.add_to_case_team(username, actor=actor, at=now)
            return {"case_team": list(incident.case_team)}

        return self._execute(ref, "add_to_case_team", {"username": username}, change, **options)

    def remove_from_case_team(
        self, ref: str, username: str, *, reason: str = "", **options: Any
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.remove_from_case_team(username, reason=reason, actor=actor, at=now)
            return {"case_team": list(incident.case_team)}

        arguments = {"username": username, "reason": reason}
        return self._execute(ref, "remove_from_case_team", arguments, change, **options)

    # -- queries ------------------------------------------------------------------------------

    def stand_ins(self) -> dict[str, StandIn]:
        """The partner organisations standing in for playbook roles, by role id (set by an
        admin through service.accounts.service, in this same store)."""
        try:
            roster: StandIns = self.repository.get(StandIns.id_for())
        except AggregateNotFoundError:
            return {}
        found = {}
        for role, slug in roster.roles.items():
            try:
                organisation: Organisation = self.repository.get(Organisation.id_for(slug))
            except AggregateNotFoundError:
                continue
            if organisation.is_partner and role in organisation.stands_in:
                found[role] = StandIn(organisation.slug, organisation.name)
        return found

    def result_of(self, idempotency_key: str, *, actor: Actor) -> CommandResult | None:
        """The result of the command that carried this key from this actor, if one took
        effect."""
        receipt = self._receipt(check_key(idempotency_key), actor)
        return self._result_from(receipt) if receipt else None

    def find(self, ref: str) -> UUID:
        """An incident's id from its reference (INC-2026-0007) or its id."""
        ref = ref.strip()
        if REFERENCE_PATTERN.match(ref):
            incident_id = Incident.id_for(ref)
        else:
            try:
                incident_id = UUID(ref)
            except ValueError:
                raise NotFound(
                    f"{ref!r} is not an incident reference: use one like INC-2026-0007"
                ) from None
        first = self.recorder.select_events(incident_id, limit=1)
        if not first or first[0].topic != INCIDENT_TOPICS[0]:
            raise NotFound(f"there is no incident {ref}")
        return incident_id

    def incident(self, ref: str) -> Incident:
        return self.repository.get(self.find(ref), projector_func=fold)

    def current(self, ref: str) -> Incident:
        """The incident now, from the in-memory board brought up to date from the log: for a
        quick look (who it is shared with, whose a task is) without replaying its stream.
        Never change what it returns."""
        incident_id = self.find(ref)
        incident = self.board.incident(incident_id)
        return incident if incident is not None else self.incident(ref)

    def incidents(
        self, *, include_closed: bool = False, school: str | None = None
    ) -> list[Incident]:
        """Open incidents (or all), newest first, optionally those touching one school."""
        wanted = school.strip().casefold() if school else None
        return [
            incident
            for incident in self.board.incidents()
            if (include_closed or not incident.closed)
            and (wanted is None or any(s.casefold() == wanted for s in incident.schools))
        ]

    def incident_events(self, ref: str, *, after_version: int = 0) -> list[FeedEvent]:
        incident_id = self.find(ref)
        notifications = select_stream(self.recorder, incident_id, after_version=after_version)
        events = [self.mapper.to_domain_event(n) for n in notifications]
        reference = self._reference_of(incident_id, events)
        return [
            to_feed_event(n.id, reference, e) for n, e in zip(notifications, events, strict=True)
        ]

    def incident_stream(
        self, incident_id: UUID, *, after_version: int = 0
    ) -> list[tuple[int, Incident.Event]]:
        """An incident's events after a version, each with its global position, without building
        a FeedEvent around each: for readers of long streams (the timeline) that need no more."""
        notifications = select_stream(self.recorder, incident_id, after_version=after_version)
        return [(n.id, self.mapper.to_domain_event(n)) for n in notifications]

    def latest_version(self, incident_id: UUID) -> int:
        """The version of the incident's latest event (0 if it has none)."""
        latest = self.recorder.select_events(incident_id, desc=True, limit=1)
        return latest[0].originator_version if latest else 0

    def incident_at_version(self, ref: str, version: int) -> Incident:
        incident_id = self.find(ref)
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise DomainError(f"version must be a whole number from 1; got {version!r}")
        latest = self.recorder.select_events(incident_id, desc=True, limit=1)[0]
        if version > latest.originator_version:
            raise DomainError(
                f"{self._reference_of(incident_id, [])} has {latest.originator_version} events; "
                f"version {version} is beyond the stream"
            )
        # Reads only the first N events.
        return self.repository.get(incident_id, version=version, projector_func=fold)

    def incident_at_time(self, ref: str, at: datetime) -> Incident:
        if at.tzinfo is None:
            raise DomainError("give the moment with a time zone, e.g. 2026-11-23T09:30-06:00")
        check_moment("at", at)  # the page, API and CLI show the state at that moment
        events = self.incident_events(ref)
        before = [e for e in events if e.at <= at]
        if not before:
            raise DomainError(
                f"{events[0].reference} was opened at {events[0].at.isoformat()}; "
                f"there is nothing to show at {at.isoformat()}"
            )
        return project(e.event for e in before)

    def events_after(self, position: int = 0, limit: int = 100) -> list[FeedEvent]:
        """The global feed: every incident event after a position, in order."""
        if isinstance(position, bool) or not isinstance(position, int) or position < 0:
            raise DomainError(f"position must be a whole number from 0; got {position!r}")
        if (
            isinstance(limit, bool)
            or not isinstance(limit, int)
            or not 1 <= limit <= MAX_FEED_LIMIT
        ):
            raise DomainError(f"limit must be from 1 to {MAX_FEED_LIMIT}; got {limit!r}")
        notifications = self.recorder.select_notifications(
            position, limit, topics=INCIDENT_TOPICS, inclusive_of_start=False
        )
        feed = []
        for notification in notifications:
            event = self.mapper.to_domain_event(notification)
            reference = self._reference_of(event.originator_id, [event])
            feed.append(to_feed_event(notification.id, reference, event))
        return feed

    def last_position(self) -> int:
        return self.recorder.max_notification_id() or 0

    # -- internals ----------------------------------------------------------------------------

    def _execute(
        self,
        ref: str,
        name: str,
        arguments: dict[str, Any],
        change: Callable[[Incident, datetime, Actor], dict[str, Any]],
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
        for attempt in range(MAX_ATTEMPTS):
            incident: Incident = self.repository.get(incident_id, projector_func=fold)
            if based_on_version is not None:
                self._check_unchanged(incident, based_on_version, name, task_id, visible)
            detail = change(incident, self._now(command), actor)
            result = self._save(command, incident, detail=detail)
            if result:
                return result
            # Someone else wrote to this incident first: reload and apply the command again.
            time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise DomainError(f"{ref} is changing too fast to apply {name} now; try again")

    def _save(
        self,
        command: Command,
        incident: Incident,
        *others: Aggregate,
        detail: dict[str, Any],
    ) -> CommandResult | None:
        """Saves the command's events, with its receipt; None when another writer won."""
        receipt = None
        if command.idempotency_key:
            receipt = Receipt.record(
                command.idempotency_key,
                receipt_id=self._receipt_id(command.idempotency_key, command.actor),
                command=command.name,
                fingerprint=fingerprint(command.name, command.arguments),
                incident_id=incident.id,
                reference=incident.reference,
                version=incident.version,
                detail=detail,
            )
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

    def _check_unchanged(
        self,
        incident: Incident,
        based_on: int,
        name: str,
        task_id: str | None,
        visible: Callable[[FeedEvent], bool] | None = None,
    ) -> None:
        if isinstance(based_on, bool) or not isinstance(based_on, int) or based_on < 1:
            raise DomainError(f"based-on version must be a whole number from 1; got {based_on!r}")
        if based_on > incident.version:
            raise DomainError(
                f"{incident.reference} is at version {incident.version}; "
                f"it has no version {based_on} to base a change on"
            )
        if based_on == incident.version:
            return
        since = self.incident_events(str(incident.id), after_version=based_on)
        if visible is not None:
            since = [e for e in since if visible(e)]
        if task_id is not None:
            relevant = [e for e in since if e.data.get("task_id") == task_id]
            subject = f"task {task_id} '{incident.task(task_id).title}'"
        else:
            relevant = [e for e in since if e.type in SAME_KIND.get(name, ())]
            subject = incident.reference
        if relevant:
            changes = "; ".join(
                f"{e.type.replace('_', ' ')} by {e.event.by} at {e.at:%Y-%m-%d %H:%M} UTC "
                f"(version {e.version})"
                for e in relevant
            )
            raise Conflict(
                f"{subject} changed after version {based_on}: {changes}. "
                "Reload the incident and decide again."
            )

    def _reference_sequence(self, year: int) -> ReferenceSequence:
        try:
            return self.repository.get(ReferenceSequence.id_for(year))
        except AggregateNotFoundError:
            return ReferenceSequence.start(year)

    def _reference_of(self, incident_id: UUID, events: Sequence[Incident.Event]) -> str:
        if incident_id not in self._references:
            first = events[0] if events and events[0].originator_version == 1 else None
            if first is None:
                first = next(iter(self.events.get(incident_id, lte=1)))
            self._references[incident_id] = first.reference  # type: ignore[attr-defined]
        return self._references[incident_id]

    def _now(self, command: Command) -> datetime:
        return command.at or self.clock()


# Incident-wide commands conflict with later changes of the same kind.
SAME_KIND: dict[str, tuple[str, ...]] = {
    "share_incident": ("incident_shared", "incident_share_ended"),
    "end_share": ("incident_shared", "incident_share_ended"),
    "change_severity": ("severity_changed",),
    "advance_phase": ("phase_advanced", "incident_reopened"),
    "close_incident": ("incident_closed", "incident_reopened", "phase_advanced"),
    "reopen_incident": ("incident_reopened",),
    "mark_confidential": ("incident_marked_confidential", "incident_unmarked_confidential"),
    "unmark_confidential": ("incident_marked_confidential", "incident_unmarked_confidential"),
    "add_to_case_team": ("case_team_member_added", "case_team_member_removed"),
    "remove_from_case_team": ("case_team_member_added", "case_team_member_removed"),
}


def project(events: Any) -> Incident:
    """Folds events into the incident as it stood after the last of them."""
    incident = fold(None, events)
    assert incident is not None
    return incident
