"""Recording who viewed an incident, and listing those views for auditors.

A page that refreshes itself on every change of the board must not write on every refresh, and
the log of views must never slow a page or keep anyone from an incident. So:

- RecentViews remembers, in this process's memory, which (person, incident, surface) were
  already recorded in the current window (15 minutes by default): later views in that window
  write nothing. Each process remembers on its own; when two processes record the same view in
  the same window, the view's id (see domain.viewing) makes the store keep only the first.
- ViewLog.record() only checks that memory and queues the view; one writer thread per process
  saves queued views, many per save. A failed save is written to the server log and forgets the
  views it held, so that person's next view tries again; the page was served all the same.
  Views still queued when the process dies (milliseconds' worth) are lost.
- ViewLog.viewings() reads one incident's views by their range of ids (domain.viewing), after
  waiting briefly for this process's queue, so a view just made here is listed at once.
"""

import logging
import queue
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, IntegrityError, StoredEvent
from eventsourcing.utils import get_topic

from domain.errors import DomainError, NotFound
from domain.people import Actor
from domain.viewing import SURFACES, WINDOW, Viewing, check_surface, window_start
from service.incidents.application import Clock, Steady
from service.store.streams import select_rows

log = logging.getLogger(__name__)
VIEWED_TOPIC = get_topic(Viewing.Recorded)
PAGE = 1000
Key = tuple[str, str, str]  # (person, incident as asked for, surface)


class RecentViews:
    """Which (person, incident, surface) keys were recorded in their current window, in memory.

    Bounded: past `max_keys`, keys of earlier windows are forgotten first, then the oldest."""

    def __init__(self, window: timedelta = WINDOW, *, max_keys: int = 100_000) -> None:
        if window <= timedelta(0) or max_keys < 1:
            raise ValueError("the window must be positive and at least one key kept")
        self.window = window
        self.max_keys = max_keys
        self._seen: dict[Key, datetime] = {}
        self._lock = threading.Lock()

    def claim(self, key: Key, at: datetime) -> datetime | None:
        """The start of `at`'s window if this is the key's first view in it (the key is then
        taken for that window); None if it was already taken."""
        start = window_start(at, self.window)
        with self._lock:
            if self._seen.get(key) == start:
                return None
            self._seen.pop(key, None)  # re-inserted last: the dict stays in order of use
            self._seen[key] = start
            self._bound(start)
        return start

    def release(self, key: Key, start: datetime) -> None:
        """Forgets the key's window, if it still holds that one: the next view records again."""
        with self._lock:
            if self._seen.get(key) == start:
                del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)

    def _bound(self, current: datetime) -> None:
        if len(self._seen) <= self.max_keys:
            return
        for key in [k for k, start in self._seen.items() if start < current]:
            del self._seen[key]
        while len(self._seen) > self.max_keys:
            del self._seen[next(iter(self._seen))]


@dataclass(frozen=True)
class Viewer:
    """Who is looking, as recorded: the person, the role they act in, their roles, their
    organisation. Nothing more: the log of views is meant to hold little personal data."""

    user: str
    role: str
    roles: tuple[str, ...]
    organisation: str


@dataclass(frozen=True)
class _Pending:
    viewer: Viewer
    ref: str
    surface: str
    at: datetime
    key: Key
    window_start: datetime


@dataclass(frozen=True)
class RecordedView:
    """One line of the log: first seen `at`, within [window_start, window_end)."""

    user: str
    role: str
    roles: tuple[str, ...]
    organisation: str
    surface: str
    at: datetime
    window_start: datetime
    window_end: datetime

    @classmethod
    def from_event(cls, event: Viewing.Recorded) -> "RecordedView":
        return cls(
            user=event.actor["user"],
            role=event.actor["role"],
            roles=tuple(event.roles),
            organisation=event.organisation,
            surface=event.surface,
            at=event.timestamp,
            window_start=event.window_start,
            window_end=event.window_end,
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "person": self.user,
            "role": self.role,
            "roles": list(self.roles),
            "organisation": self.organisation,
            "surface": self.surface,
            "at": self.at.isoformat(),
            "window": {"start": self.window_start.isoformat(), "end": self.window_end.isoformat()},
        }


@dataclass(frozen=True)
class IncidentViews:
    incident_id: UUID
    reference: str
    views: list[RecordedView]  # newest first


_STOP = object()


class ViewLog:
    """Records views off the request's path and lists them. One per process (web/app.py)."""

    def __init__(
        self,
        steady: Steady,
        *,
        window: timedelta = WINDOW,
        clock: Clock | None = None,
        max_pending: int = 10_000,
        batch: int = 500,
    ) -> None:
        self.steady = steady
        self.window = window
        self.clock = clock or steady.clock
        self.recent = RecentViews(window)
        self.max_pending = max_pending
        self.batch = batch
        self._queue: queue.Queue[Any] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._dropped = 0
        self._dropped_logged_at = 0.0

    # -- recording ----------------------------------------------------------------------------

    def record(self, viewer: Viewer, ref: str, surface: str) -> bool:
        """Queues the view if it is the first of (person, incident, surface) in this window in
        this process; True if queued. Touches no store, so it neither waits nor fails on one."""
        surface = check_surface(surface)
        at = self.clock()
        key = (viewer.user, ref.strip().upper(), surface)
        start = self.recent.claim(key, at)
        if start is None:
            return False
        with self._lock:
            if self._closed or self._queue.qsize() >= self.max_pending:
                self.recent.release(key, start)
                self._count_dropped(closed=self._closed)
                return False
            self._start_writer()
            self._queue.put_nowait(_Pending(viewer, ref.strip(), surface, at, key, start))
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until every view queued so far is saved (or has failed); False on timeout."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return True
            done = None if self._closed else threading.Event()
            if done is not None:
                self._queue.put_nowait(done)
        if done is None:  # closing: the writer saves what is queued, then ends
            thread.join(timeout)
            return not thread.is_alive()
        return done.wait(timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Saves what is queued, then stops the writer. Later views are not recorded."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._queue.put_nowait(_STOP)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.error("the view log's writer did not finish within %.0f s", timeout)

    def _start_writer(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="steady-view-log", daemon=True)
            self._thread.start()

    def _count_dropped(self, *, closed: bool) -> None:
        if closed:
            return  # shutting down: nothing to warn about
        self._dropped += 1
        now = time.monotonic()
        if now - self._dropped_logged_at >= 60:
            log.warning(
                "the view log is %d views behind; %d views were not recorded since the last "
                "warning (the pages were served)",
                self.max_pending,
                self._dropped,
            )
            self._dropped, self._dropped_logged_at = 0, now

    def _run(self) -> None:
        while True:
            items = [self._queue.get()]
            while len(items) < self.batch:
                try:
                    items.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            pending = [i for i in items if isinstance(i, _Pending)]
            if pending:
                self._write(pending)
            for item in items:
                if isinstance(item, threading.Event):
                    item.set()
            if any(item is _STOP for item in items):
                return

    def _write(self, pending: list[_Pending]) -> None:
        try:
            self._save(pending)
        except Exception:
            # Never kill the writer; the views' keys are released so the next view retries.
            refs = sorted({p.ref for p in pending})
            log.exception(
                "could not record %d view(s) of %s; the pages were served without them",
                len(pending),
                ", ".join(refs[:10]),
            )
            for p in pending:
                self.recent.release(p.key, p.window_start)

    def _save(self, pending: list[_Pending]) -> None:
        found: dict[UUID, tuple[_Pending, UUID]] = {}
        for p in pending:
            try:
                incident_id = self.steady.find(p.ref)
            except NotFound:
                continue  # no such incident: nothing was seen
            # setdefault: a reference and an id of the same incident make one view
            found.setdefault(self._viewing(p, incident_id).id, (p, incident_id))
        if not found:
            return
        try:
            self.steady.save(*(self._viewing(p, i) for p, i in found.values()))
        except IntegrityError:
            # Some were recorded already, by another process in the same window: the store
            # refuses those. A failed save has used up the aggregates' pending events, so each
            # view is made again and saved on its own.
            for p, incident_id in found.values():
                try:
                    self.steady.save(self._viewing(p, incident_id))
                except IntegrityError:
                    continue

    def _viewing(self, p: _Pending, incident_id: UUID) -> Viewing:
        return Viewing.record(
            incident_id=incident_id,
            actor=Actor(p.viewer.user, p.viewer.role),
            roles=p.viewer.roles,
            organisation=p.viewer.organisation,
            surface=p.surface,
            at=p.at,
            window=self.window,
            secret=self.steady.id_secret("viewing"),
        )

    # -- listing ------------------------------------------------------------------------------

    def viewings(self, ref: str) -> IncidentViews:
        """Every recorded view of the incident, newest first. NotFound for an unknown one."""
        incident_id = self.steady.find(ref)
        self.flush(timeout=2.0)
        low, high = Viewing.id_range(incident_id)
        views = []
        for stored in select_id_range(self.steady.recorder, low, high, VIEWED_TOPIC):
            event = self.steady.mapper.to_domain_event(stored)
            if isinstance(event, Viewing.Recorded) and event.incident_id == incident_id:
                views.append(RecordedView.from_event(event))
        views.sort(key=lambda v: (v.at, v.user, v.surface), reverse=True)
        return IncidentViews(incident_id, self._reference(incident_id), views)

    def _reference(self, incident_id: UUID) -> str:
        first = next(iter(self.steady.events.get(incident_id, lte=1)))
        return str(first.reference)  # type: ignore[attr-defined]


def select_views(
    views: Iterable[RecordedView],
    *,
    person: str | None = None,
    role: str | None = None,
    surface: str | None = None,
) -> list[RecordedView]:
    """The views by this person, in this role (acted in or held), on this surface."""
    person = (person or "").strip().casefold()
    role = (role or "").strip()
    surface = (surface or "").strip()
    if surface and surface not in SURFACES:
        raise DomainError(f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}")
    return [
        v
        for v in views
        if (not person or v.user.casefold() == person)
        and (not role or role == v.role or role in v.roles)
        and (not surface or v.surface == surface)
    ]


def select_id_range(
    recorder: ApplicationRecorder, low: UUID, high: UUID, topic: str
) -> Sequence[StoredEvent]:
    """Stored events of one topic whose aggregate ids lie in [low, high]: a range read of the
    primary key (originator_id, originator_version) that both stores index."""
    rows = select_rows(
        recorder, "originator_id BETWEEN %s AND %s AND topic = %s", (low, high, topic)
    )
    if rows is not None:
        return rows
    # Any other recorder (the in-memory one in unit tests): scan the topic's notifications.
    found: list[StoredEvent] = []
    position = 0
    while True:
        section = recorder.select_notifications(
            position, PAGE, topics=[topic], inclusive_of_start=False
        )
        found += [
            StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
            for n in section
            if isinstance(n.originator_id, UUID) and low <= n.originator_id <= high
        ]
        if len(section) < PAGE:
            return found
        position = section[-1].id
