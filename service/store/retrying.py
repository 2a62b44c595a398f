"""The retry-on-conflict policy of every command that reads, decides and saves.

Two writers may decide on the same version of an aggregate: the store keeps the first save and
refuses the second (an IntegrityError). The loser reloads and decides again, after a short
random pause that grows with each attempt, up to MAX_ATTEMPTS; then it gives up with TooBusy,
which the web answers with 503 and Retry-After: contention is the server's state, never a fault
in the request. Inside one process, commands on one incident do not race at all (they queue
behind its one writer: service.incidents.writers); this policy is for writers in other
processes, and for accounts.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

MAX_ATTEMPTS = 25
RETRY_AFTER_SECONDS = 1  # what a refused client is told to wait before it sends again


class TooBusy(Exception):
    """Other writers kept saving first: nothing was saved; the same request may be sent again
    (with its Idempotency-Key, safely)."""


T = TypeVar("T")


def retry_on_conflict(attempt: Callable[[], T | None], *, too_busy: str) -> T:
    """Calls `attempt` until it returns a result; None, or an IntegrityError it raises, means
    another writer won. Raises TooBusy(`too_busy`) after MAX_ATTEMPTS."""
    for number in range(MAX_ATTEMPTS):
        try:
            result = attempt()
        except IntegrityError:
            result = None
        if result is not None:
            return result
        pause(number)
    raise TooBusy(too_busy)


def pause(attempt: int) -> None:
    """A random wait that grows with the attempt, so that racing writers fall out of step."""
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
