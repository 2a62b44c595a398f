"""When PostgreSQL cannot be reached: every wait on the store is bounded, and the caller is told
whether anything was written.

Each operation on the store (a read, a save) gets a deadline `bound` seconds ahead
(STEADY_STORE_TIMEOUT): waiting for a pooled connection, retrying a lost one and waiting in the
group commit's queue all stop there, and the operation raises StoreUnreachable, which the web
answers with 503 and Retry-After. Once the store has been found unreachable it is `down`: an
operation then waits only `probe` seconds for a connection and checks each pooled connection
before using it (a cut leaves them all dead), so that during an outage every request fails at
once instead of each waiting out the bound, and the first one after it gets a live connection.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from eventsourcing.persistence import InterfaceError, OperationalError
from psycopg_pool import PoolClosed

log = logging.getLogger(__name__)
T = TypeVar("T")
DEFAULT_BOUND = 3.0  # seconds: STEADY_STORE_TIMEOUT's default (service.config)
RETRY_WAIT = 0.1  # between attempts on a lost connection: the pool is reconnecting meanwhile

# The deadline of the operation running in this thread (or task), if one is.
_deadline: ContextVar[float | None] = ContextVar("steady_store_deadline", default=None)


class StoreUnreachable(OperationalError):
    """The store could not be reached in time. Raised before anything was sent that could be
    written: nothing of the operation that raised it was saved."""


class OutcomeUnknown(StoreUnreachable):
    """The connection was lost while a commit was in flight, and the store could not be asked
    since whether it was written: it may have been saved, or not."""


class Reach:
    """How long operations wait for the store, and whether it was last found unreachable."""

    def __init__(self, bound: float, *, probe: float = 0.25) -> None:
        self.bound = bound
        self.probe = probe
        self._lock = threading.Lock()
        self._down_since: float | None = None

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def mark_down(self, reason: object) -> None:
        with self._lock:
            first = self._down_since is None
            if first:
                self._down_since = time.monotonic()
        if first:  # once per outage: the server log says when it began and when it ended
            first_line = str(reason).strip().splitlines()[0] if str(reason).strip() else reason
            log.warning("the event store cannot be reached: %s", first_line)

    def mark_up(self) -> None:
        with self._lock:
            since, self._down_since = self._down_since, None
        if since is not None:
            log.warning("the event store is reachable again after %.1fs", time.monotonic() - since)

    @contextmanager
    def operation(self, deadline: float | None = None) -> Iterator[float]:
        """The deadline of the store work inside: `deadline`, or `bound` from now. Inside
        another operation, the outer deadline stands: a retry inside a retry gets no more."""
        outer = _deadline.get()
        if outer is not None:
            yield outer
            return
        token = _deadline.set(deadline if deadline is not None else time.monotonic() + self.bound)
        try:
            yield _deadline.get() or 0.0
        finally:
            _deadline.reset(token)

    def remaining(self) -> float:
        """Seconds left to the current operation's deadline (the whole bound outside one)."""
        deadline = _deadline.get()
        return self.bound if deadline is None else deadline - time.monotonic()

    def connection_wait(self) -> float:
        """How long to wait for a pooled connection now: briefly while the store is down."""
        remaining = self.remaining()
        return min(remaining, self.probe) if self.down else remaining


def bounded(reach: Reach, call: Callable[[], T], *, what: str) -> T:
    """Calls `call` until it returns, again after a lost connection, until the deadline; then
    raises StoreUnreachable. A read, or a write whose failure proves nothing was written."""
    with reach.operation():
        while True:
            try:
                return call()
            except StoreUnreachable:
                raise
            except (InterfaceError, OperationalError) as error:
                if isinstance(error.__cause__, PoolClosed):
                    raise  # the application was closed: a closed pool never reopens
                if reach.remaining() <= RETRY_WAIT:
                    raise StoreUnreachable(f"could not {what} in time: {error}") from error
            time.sleep(RETRY_WAIT)
