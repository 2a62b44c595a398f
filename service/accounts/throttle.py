"""The sign-in throttle: slows password guessing per account and address, and per address."""

import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from service.accounts.refusals import SignInLocked
from service.incidents.application import Clock, utc_now


@dataclass
class _Guesses:
    """Failed passwords for one account from one address, and how long it must now wait."""

    failures: int
    last: datetime
    locked_until: datetime | None = None


# Settings as keyword-only fields; compared by identity, as each holds its own counts.
@dataclass(kw_only=True, eq=False, repr=False)
class SignInThrottle:
    """Slows password guessing without locking an account's owner out.

    - Per account *and address*: after `limit` failures, each further failure from that address
      for that account doubles a wait, from `base_delay` up to `max_delay`; the count is
      forgotten at a sign-in from there, or after `forget_after` without a failure. So the same
      wrong passwords from elsewhere never lock the owner out of their own account.
    - Per address, whatever the accounts: `address_limit` failures within `window` (looser, as
      a school's staff may share one address) lock that address until the oldest of them is
      `window` old: an address trying many accounts.

    Valid API tokens are never checked against either (see Accounts.authenticate_token). The
    counts live in this process's memory: each process counts on its own, and a restart
    forgets them. A store shared by every instance (a table in PostgreSQL, say) is future work.
    """

    limit: int = 5
    window: timedelta = timedelta(minutes=15)
    address_limit: int = 100
    base_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=24)
    clock: Clock = utc_now
    max_keys: int = 100_000
    _guesses: dict[tuple[str, str], _Guesses] = field(default_factory=dict, init=False)
    _addresses: dict[str, deque[datetime]] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def __post_init__(self) -> None:
        if self.limit < 1 or self.address_limit < 1 or self.window <= timedelta(0):
            raise ValueError("a throttle needs limits of at least 1 and a positive window")
        if self.base_delay <= timedelta(0) or self.max_delay < self.base_delay:
            raise ValueError("a throttle needs a positive delay no longer than its maximum")

    def check(self, *, username: str | None = None, address: str | None = None) -> None:
        """Raises SignInLocked while this account may not be tried from this address."""
        with self._lock:
            retry_at = self._retry_at(username, address, self.clock())
        if retry_at is not None:
            raise SignInLocked(retry_at)

    def failed(self, *, username: str | None = None, address: str | None = None) -> None:
        """Records a failure; raises SignInLocked if it starts (or lengthens) a wait."""
        now = self.clock()
        with self._lock:
            if username:
                pair = _pair(username, address)
                guesses = self._guesses.get(pair)
                if guesses is None or guesses.last + self.forget_after <= now:
                    guesses = self._guesses[pair] = _Guesses(0, now)
                guesses.failures += 1
                guesses.last = now
                beyond = guesses.failures - self.limit
                if beyond >= 0:
                    delay = min(self.base_delay * 2 ** min(beyond, 32), self.max_delay)
                    guesses.locked_until = now + delay
            if address:
                failures = self._addresses.setdefault(address[:100], deque())
                self._expire(failures, now)
                failures.append(now)
            self._bound(now)
            retry_at = self._retry_at(username, address, now)
        if retry_at is not None:
            raise SignInLocked(retry_at)

    def succeeded(self, *, username: str, address: str | None = None) -> None:
        """Forgets this account's failures from this address. The address keeps its count: one
        good password must not reset a guesser who is trying many accounts from there."""
        with self._lock:
            self._guesses.pop(_pair(username, address), None)

    def _retry_at(
        self, username: str | None, address: str | None, now: datetime
    ) -> datetime | None:
        latest = None
        guesses = self._guesses.get(_pair(username, address)) if username else None
        if guesses is not None and guesses.locked_until and guesses.locked_until > now:
            latest = guesses.locked_until
        failures = self._addresses.get(address[:100]) if address else None
        if failures:
            self._expire(failures, now)
            if len(failures) >= self.address_limit:
                until = failures[-self.address_limit] + self.window
                latest = until if latest is None else max(latest, until)
        return latest

    def _expire(self, failures: deque[datetime], now: datetime) -> None:
        while failures and failures[0] + self.window <= now:
            failures.popleft()

    def _bound(self, now: datetime) -> None:
        if len(self._guesses) > self.max_keys:
            for pair in [p for p, g in self._guesses.items() if g.last + self.forget_after <= now]:
                del self._guesses[pair]
            while len(self._guesses) > self.max_keys:  # still too many: forget the oldest
                del self._guesses[next(iter(self._guesses))]
        if len(self._addresses) > self.max_keys:
            for key in [
                k for k, f in self._addresses.items() if not f or f[-1] + self.window <= now
            ]:
                del self._addresses[key]
            while len(self._addresses) > self.max_keys:
                del self._addresses[next(iter(self._addresses))]


def _pair(username: str | None, address: str | None) -> tuple[str, str]:
    return ((username or "")[:100], (address or "")[:100])
