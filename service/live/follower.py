"""Follows the event log and hands each new incident event, in order, to a callback.

One follower per process and purpose: woken by NOTIFY on PostgreSQL, by this process's own
saves, and by a poll every `interval` seconds for writes from other processes on SQLite. By
default it reads incident events; `read` picks other records of the log (account changes,
say), anything that names its position.

When the store cannot be reached, the follower keeps trying every second and restarts its
LISTEN connection (which may have died without a word), and goes on from where it was when the
store returns: the callback is handed again the events it raised on, so it must take events it
already has (at positions it has passed) without harm."""

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from eventsourcing.persistence import PersistenceError

from service.incidents.application import Steady
from service.live.waking import LogWaiter

log = logging.getLogger(__name__)
PAGE = 500


class Positioned(Protocol):
    @property
    def position(self) -> int: ...


class LogFollower:
    def __init__(
        self,
        steady: Steady,
        on_events: Callable[[list[Any]], None],
        *,
        interval: float = 1.0,
        read: Callable[[int, int], Sequence[Positioned]] | None = None,
    ) -> None:
        self.steady = steady
        self.on_events = on_events
        self.read: Callable[[int, int], Sequence[Positioned]] = read or steady.events_after
        self.waiter = LogWaiter(steady.recorder, interval=interval)
        self.position = 0
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        steady.after_save.append(self.waiter.wake)

    def start(self, position: int) -> None:
        self.position = position
        self._thread = threading.Thread(target=self._run, name="steady-log-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self.waiter.wake()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.waiter.close()

    def _run(self) -> None:
        failing = False
        while not self._stopping.is_set():
            try:
                events = list(self.read(self.position, PAGE))
                if events:
                    self.on_events(events)  # before moving on: if it fails, it gets them again
                    self.position = events[-1].position
                if failing:
                    log.warning("following the event log again from position %d", self.position)
                    failing = False
                if len(events) == PAGE:
                    continue
                if not self._stopping.is_set():
                    self.waiter.wait()
            except Exception as error:  # the store may be away: keep following, never die
                if not failing:  # once per outage, not once a second; a bug with its traceback
                    log.warning(
                        "following the event log failed (%s); retrying every second",
                        error,
                        exc_info=not isinstance(error, PersistenceError),
                    )
                failing = True
                self.waiter.close()  # a LISTEN connection may have died silently: a new one
                if not self._stopping.is_set():
                    self.waiter.wait()  # a second, or less if this process saves meanwhile
