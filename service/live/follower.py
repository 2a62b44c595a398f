"""Follows the event log and hands each new incident event, in order, to a callback.

One follower per process and purpose: woken by NOTIFY on PostgreSQL, by this process's own
saves, and by a poll every `interval` seconds for writes from other processes on SQLite. By
default it reads incident events; `read` picks other records of the log (account changes,
say), anything that names its position."""

import logging
import threading
from collections.abc import Callable, Sequence
from typing import Any, Protocol

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
        while not self._stopping.is_set():
            try:
                events = list(self.read(self.position, PAGE))
            except Exception:  # the store may be restarting: keep following, never die
                log.exception("reading the event log failed; retrying")
                self._stopping.wait(1.0)
                continue
            if events:
                self.position = events[-1].position
                self.on_events(events)
                if len(events) == PAGE:
                    continue
            if not self._stopping.is_set():
                self.waiter.wait()
