"""The help page's limits on one sender, who is anonymous: how many requests they may send, and
how many wrong case codes or passphrases they may try.

A sender is known here only by a keyed hash of their address (`client`), with a random key
made in memory each day (UTC) and never stored: yesterday's hashes cannot be matched to
today's, nor any of them to an address once the key is gone, and the address itself is never
kept, stored or logged. Counts live in this process's memory, as the sign-in throttle's do
(service/accounts/throttle.py): each process counts on its own and a restart forgets them; the
day's new key forgets them too."""

import hashlib
import hmac
import math
import secrets
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from service.help_requests.refusals import TooManyRequests
from service.incidents.application import Clock, utc_now

MAX_KEYS = 100_000  # senders remembered at once; beyond, the oldest are forgotten


@dataclass(kw_only=True, eq=False, repr=False)
class HelpLimits:
    per_hour: int = 5  # requests one sender may send in an hour
    per_day: int = 20  # and in a day
    guesses: int = 5  # wrong codes or passphrases, per sender and per code, in `guess_window`
    guess_window: timedelta = timedelta(minutes=15)
    clock: Clock = utc_now
    _day: date | None = field(default=None, init=False)
    _key: bytes = field(default=b"", init=False)
    _sent: dict[str, deque[datetime]] = field(default_factory=dict, init=False)
    _failed: dict[str, deque[datetime]] = field(default_factory=dict, init=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False)

    def sender(self, client: str | None) -> str:
        """Today's keyed hash of the address (the key is made afresh each day)."""
        with self._lock:
            self._rotate(self.clock())
            key = self._key
        digest = hmac.new(key, (client or "unknown").encode(), hashlib.sha256).hexdigest()
        return f"sender:{digest}"

    def check_sending(self, sender: str) -> None:
        """Raises TooManyRequests when this sender has sent as many requests as it may."""
        now = self.clock()
        with self._lock:
            sent = self._sent.get(sender, deque())
            _expire(sent, now - timedelta(days=1))
            hour = [t for t in sent if t > now - timedelta(hours=1)]
            if len(hour) >= self.per_hour:
                wait = hour[-self.per_hour] + timedelta(hours=1) - now
            elif len(sent) >= self.per_day:
                wait = sent[-self.per_day] + timedelta(days=1) - now
            else:
                return
        raise TooManyRequests(
            "too many requests have been sent from here for now; if someone is in danger, "
            f"call 911. You can send another in {_minutes(wait)}.",
            math.ceil(wait.total_seconds()),
        )

    def sent(self, sender: str) -> None:
        with self._lock:
            self._sent.setdefault(sender, deque()).append(self.clock())
            _bound(self._sent)

    def check_guessing(self, *keys: str) -> None:
        """Raises TooManyRequests while any of these (a sender, a code) has failed too often."""
        now = self.clock()
        with self._lock:
            waits = []
            for key in keys:
                failures = self._failed.get(key)
                if failures is None:
                    continue
                _expire(failures, now - self.guess_window)
                if len(failures) >= self.guesses:
                    waits.append(failures[-self.guesses] + self.guess_window - now)
        if waits:
            wait = max(waits)
            raise TooManyRequests(
                "too many tries with a wrong case code or passphrase; wait "
                f"{_minutes(wait)} and try again",
                math.ceil(wait.total_seconds()),
            )

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._failed.setdefault(key, deque()).append(self.clock())
            _bound(self._failed)

    def _rotate(self, now: datetime) -> None:
        today = now.date()
        if today != self._day:
            # A new key: every hash of yesterday's stops matching; their counts go with it.
            self._day, self._key = today, secrets.token_bytes(32)
            self._sent.clear()
            self._failed = {k: v for k, v in self._failed.items() if k.startswith("code:")}


def _expire(moments: deque[datetime], before: datetime) -> None:
    while moments and moments[0] <= before:
        moments.popleft()


def _bound(counts: dict[str, deque[datetime]]) -> None:
    while len(counts) > MAX_KEYS:
        del counts[next(iter(counts))]


def _minutes(wait: timedelta) -> str:
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return "a minute" if minutes == 1 else f"{minutes} minutes"
