"""The demo's clock: the application's clock while `steady demo` seeds. It tells the real time
(or the moment a test gives), except while the demo does something at a moment in its past:
the follow-up commands plan and record at the application's clock, not at a given moment."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from service.incidents.application import utc_now


class DemoClock:
    def __init__(self, now: Callable[[], datetime] = utc_now) -> None:
        self._now = now
        self._set: datetime | None = None

    def __call__(self) -> datetime:
        return self._set if self._set is not None else self._now()

    @contextmanager
    def at(self, moment: datetime) -> Iterator[datetime]:
        """The clock tells this moment until the block ends."""
        before, self._set = self._set, moment
        try:
            yield moment
        finally:
            self._set = before
