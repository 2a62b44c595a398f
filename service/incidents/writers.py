"""One writer per incident in this process: commands on the same incident queue behind each
other, are decided one after another on the incident held in memory, and are saved together.

When a school locks down, a hundred teachers report into one incident in the same two minutes.
Deciding each of their commands on a fresh replay, and racing the others to save it, made them
fight (most attempts lost to optimistic concurrency and were tried again). Here, the commands
that arrive while an incident's save is in flight wait in its queue; the next writer takes all of
them (a batch), decides each on a fork of the latest incident (service.incidents.held), in
arrival order, each seeing the ones before it, and saves the batch's events and receipts in one
save, so one transaction (and, on PostgreSQL, one group commit with other incidents' batches)
carries them all. Each command is acknowledged only once that save has returned.

Leader and followers, no thread of its own: the first command to find nobody writing its
incident becomes the writer, takes the queue, saves it and wakes each command with its own
result; then it hands the queue to the first command still waiting.

- A command refused by the rules fails alone; if it had recorded part of its events before it
  was refused, the batch is decided again without it on a fresh fork.
- A command based on a version (a conflict check against what changed since) is decided first
  in a batch, on the incident as stored, so that the check reads what it decides on.
- Two commands with the same idempotency key never share a batch: the second then finds the
  first's receipt.
- Another process may save first (several instances on one database): the save is refused
  (IntegrityError), the incident is brought up to date with the events it has not seen, and
  the batch is decided again, up to MAX_ATTEMPTS; then each command fails with TooBusy.
"""

import threading
from collections import deque
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.incident import Incident
from domain.incident_state import fork
from service.incidents.held import HeldIncidents
from service.store.retrying import MAX_ATTEMPTS, TooBusy, pause

R = TypeVar("R")
MAX_BATCH = 100  # commands decided and saved together at most


@dataclass(frozen=True)
class Change(Generic[R]):
    """A command decided: the aggregates saved beside the incident (its receipt), and its
    result once saved, given the incident's version after it and its last event's position."""

    others: tuple[Any, ...]
    result: Callable[[int, int | None], R]


@dataclass(frozen=True)
class Answered(Generic[R]):
    """A command already carried out (its receipt was found): its result, nothing to save."""

    result: R


class Decision(Generic[R]):
    """One command waiting for its incident's writer, and then its outcome."""

    __slots__ = ("alone", "decide", "done", "error", "key", "leads", "result", "too_busy", "wakeup")

    def __init__(
        self,
        decide: Callable[[Incident, bool], "Change[R] | Answered[R]"],
        *,
        too_busy: str,
        alone: bool = False,
        key: Hashable = None,
    ) -> None:
        """`decide(incident, retrying)` changes the incident (a fork) and says what to save;
        `retrying` is true when an earlier save of it may have been refused."""
        self.decide = decide
        self.too_busy = too_busy
        self.alone = alone
        self.key = key
        # Released once: when the outcome is in, or when this command must lead.
        self.wakeup = threading.Lock()
        self.wakeup.acquire()
        self.leads = False
        self.done = False
        self.result: R | None = None
        self.error: BaseException | None = None

    def finish(self, *, result: R | None = None, error: BaseException | None = None) -> None:
        self.result, self.error, self.done = result, error, True
        self.wakeup.release()

    def outcome(self) -> R:
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class _Queue:
    __slots__ = ("leading", "waiting")

    def __init__(self) -> None:
        self.waiting: deque[Decision[Any]] = deque()
        self.leading = False


class IncidentWriters:
    def __init__(
        self,
        held: HeldIncidents,
        save: Callable[..., list[Any]],
        *,
        after_save: Callable[[Incident, int], None] | None = None,
    ) -> None:
        """`save(*aggregates)` saves in one transaction and returns the recordings;
        `after_save(incident, version_before)` runs once a batch is acknowledged."""
        self.held = held
        self._save = save
        self._after_save = after_save
        self._mutex = threading.Lock()
        self._queues: dict[UUID, _Queue] = {}

    def run(self, incident_id: UUID, decision: Decision[R]) -> R:
        """Decides and saves the command on the incident; returns its result once saved."""
        with self._mutex:
            queue = self._queues.get(incident_id)
            if queue is None:
                queue = self._queues[incident_id] = _Queue()
            queue.waiting.append(decision)
            leads = decision.leads = not queue.leading
            queue.leading = True
        if not leads:
            decision.wakeup.acquire()  # woken with the outcome, or to lead
            if decision.done:
                return decision.outcome()
        saved = None
        try:
            saved = self._write(incident_id, self._take(incident_id, queue))
        finally:
            self._hand_on(incident_id, queue)
        if saved is not None and self._after_save is not None:
            self._after_save(*saved)  # after the hand-on: the next batch does not wait for it
        return decision.outcome()

    def _take(self, incident_id: UUID, queue: _Queue) -> list[Decision[Any]]:
        with self._mutex:
            batch = [queue.waiting.popleft()]
            keys = {batch[0].key} - {None}
            while queue.waiting and len(batch) < MAX_BATCH:
                next_one = queue.waiting[0]
                if next_one.alone or (next_one.key is not None and next_one.key in keys):
                    break
                batch.append(queue.waiting.popleft())
                if next_one.key is not None:
                    keys.add(next_one.key)
            return batch

    def _hand_on(self, incident_id: UUID, queue: _Queue) -> None:
        with self._mutex:
            if queue.waiting:
                following = queue.waiting[0]
                following.leads = True
                following.wakeup.release()
            else:
                queue.leading = False
                del self._queues[incident_id]

    def _write(self, incident_id: UUID, batch: list[Decision[Any]]) -> tuple[Incident, int] | None:
        """Decides and saves the batch; the incident saved and its version before, if any."""
        try:
            for attempt in range(MAX_ATTEMPTS):
                done, saved = self._attempt(incident_id, batch, retrying=attempt > 0)
                if done:
                    return saved
                pause(attempt)
            for decision in batch:
                if not decision.done:
                    decision.finish(error=TooBusy(decision.too_busy))
            return None
        except BaseException as error:  # the store failed: every command still waiting fails
            for decision in batch:
                if not decision.done:
                    decision.finish(error=error)
            if not isinstance(error, Exception):
                raise
            return None

    def _attempt(
        self, incident_id: UUID, batch: list[Decision[Any]], *, retrying: bool
    ) -> tuple[bool, tuple[Incident, int] | None]:
        """(True, what was saved) once every command of the batch has its outcome; (False,
        None) if another writer saved first (decide again)."""
        while True:
            base = self.held.latest(incident_id)
            incident = fork(base)
            staged: list[tuple[Decision[Any], Change[Any], int]] = []
            spoilt = False
            for decision in batch:
                if decision.done:
                    continue
                recorded = len(incident.pending_events)
                try:
                    outcome = decision.decide(incident, retrying)
                except Exception as error:
                    decision.finish(error=error)
                    if len(incident.pending_events) != recorded:
                        spoilt = True  # refused part-way: decide the rest on a fresh fork
                        break
                    continue
                if isinstance(outcome, Answered):
                    decision.finish(result=outcome.result)
                else:
                    staged.append((decision, outcome, incident.version))
            if not spoilt:
                break
        if not staged:
            return True, None
        others = [aggregate for _, change, _ in staged for aggregate in change.others]
        try:
            recordings = self._save(incident, *others)
        except IntegrityError:
            return False, None  # another process saved first, or its key was used elsewhere
        self.held.saved(incident)
        positions = {
            r.domain_event.originator_version: r.notification.id
            for r in recordings
            if r.domain_event.originator_id == incident_id
        }
        for decision, change, version in staged:
            decision.finish(result=change.result(version, positions.get(version)))
        return True, (incident, base.version)
