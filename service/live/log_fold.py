"""State folded in memory from the log of incident events, read in pages after the last position
it folded: the board (service.incidents.board) and the partner feed (service.sharing.feed)."""

import threading
from collections.abc import Callable

from service.live.feed_events import FeedEvent

PAGE = 1000


class LogFold:
    """Reads the log after `position`, a page at a time, and folds what it reads (`_fold`,
    called under the lock, moves `position` on)."""

    def __init__(self, read_after: Callable[[int, int], list[FeedEvent]]) -> None:
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

    def _fold(self, events: list[FeedEvent]) -> None:
        raise NotImplementedError
