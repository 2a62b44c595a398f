"""The retry-on-conflict policy of every command that reads, decides and saves.

Two writers may decide on the same version of an aggregate: the store keeps the first save and
refuses the second (an IntegrityError). The loser reloads and decides again, after a short
random pause that grows with each attempt, up to MAX_ATTEMPTS; then it gives up and says so.
"""

import random
import time
from collections.abc import Callable
from typing import TypeVar

from eventsourcing.persistence import IntegrityError

from domain.errors import DomainError

MAX_ATTEMPTS = 25

T = TypeVar("T")


def retry_on_conflict(attempt: Callable[[], T | None], *, too_busy: str) -> T:
    """Calls `attempt` until it returns a result; None, or an IntegrityError it raises, means
    another writer won. Raises DomainError(`too_busy`) after MAX_ATTEMPTS."""
    for number in range(MAX_ATTEMPTS):
        try:
            result = attempt()
        except IntegrityError:
            result = None
        if result is not None:
            return result
        pause(number)
    raise DomainError(too_busy)


def pause(attempt: int) -> None:
    """A random wait that grows with the attempt, so that racing writers fall out of step."""
    time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
