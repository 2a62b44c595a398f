"""State folded in memory from the log, read in pages after the last position it folded: the
board (service.incidents.board) and the partner feed (service.sharing.feed) of incident events,
class accounting's reports (service.accounting.log) of its own events."""

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

PAGE = 1000
T = TypeVar("T")  # what the log reads as: a feed event, or (position, domain event)


class LogFold(Generic[T]):
    """Reads the log after `position`, a page at a time, and folds what it reads (`_fold`,
    called under the lock, moves `position` on)."""

    def __init__(self, read_after: Callable[[int, int], list[T]]) -> None:
        self._read_after = read_after
        self.position = 0
        self._lock = threading.Lock()

    def catch_up(self) -> None:
        with self._lock:
            while True:
                events = self._read_after(self.position, PAGE)
                self._fold(events)
                if len(events) < PAGE:
                    return

    def _fold(self, events: list[T]) -> None:
        raise NotImplementedError
