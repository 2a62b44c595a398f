"""Reminders: what the outbox does on its schedule, for the server and `steady reminders run`.

- Deriving: a log follower hands each batch of incident events to `derive`, which writes their
  urgent-task emails with the batch's last position in one transaction (service.outbox.store).
  `catch_up` derives everything after the position the outbox holds.
- The digest: `make_digests(at)` makes the morning's digests when due (service.outbox.digest).
- Sending: `send_due(at)` delivers what is due (service.outbox.sender).

The server runs these in the background (`keep_sending`, started by the web app's lifespan);
with several instances on one PostgreSQL, each derives (the messages' keys keep one copy) and
each sends, but only the one that claims a message sends it."""

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.school_days import parse_clock
from service.access.need_to_know import SchoolNames
from service.accounts.service import Accounts
from service.config import Settings
from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.outbox.digest import CalendarFor, Digests, DigestSource, open_tasks, weekdays
from service.outbox.sender import BACKOFF, LEASE, Delivery, Sender
from service.outbox.store import Outbox
from service.outbox.urgent import UrgentEmails

log = logging.getLogger(__name__)
FOLLOWER = "outbox"  # the follower's row in the outbox's tracking table
PAGE = 500
SEND_INTERVAL = 5.0  # seconds between the server's rounds (sooner when a message is added)


@dataclass
class Round:
    """What one round did: messages derived and made, and each delivery."""

    derived: int = 0
    digests: int = 0
    escalated: int = 0  # steps taken by the other rounds (self.rounds)
    deliveries: list[Delivery] = field(default_factory=list)


class Reminders:
    def __init__(
        self,
        steady: Steady,
        accounts: Accounts,
        names: SchoolNames,
        settings: Settings,
        *,
        sources: Sequence[DigestSource] = (),
        calendar_for: CalendarFor = weekdays,
        backoff: float = BACKOFF,
        lease: float = LEASE,
    ) -> None:
        self.steady = steady
        self.outbox = Outbox(steady.recorder, steady.mapper.cipher)
        self.urgent = UrgentEmails(steady, accounts, names, public_url=settings.public_url)
        # The digest's sources: My work's open tasks; the composition root may append more.
        self.sources: list[DigestSource] = [open_tasks(steady, accounts, names), *sources]
        self.digests = Digests(
            steady,
            accounts,
            self.sources,
            when=parse_clock("STEADY_DIGEST_TIME", settings.digest_time),
            calendar_for=calendar_for,
            public_url=settings.public_url,
        )
        self.sender = Sender(
            self.outbox,
            settings.smtp_url,
            mail_from=settings.mail_from,
            backoff=backoff,
            lease=lease,
        )
        # What else each round does, given its moment; returns how many things it did (the
        # composition root adds the escalation of unacknowledged life-safety help requests).
        self.rounds: list[Callable[[datetime], int]] = []
        self.position = 0
        self._wake: Callable[[], None] = lambda: None
        self._stopping = False

    # -- deriving -----------------------------------------------------------------------------

    def start(self) -> int:
        """The position to follow the log from: where the outbox's derivation ended."""
        self.position = self.outbox.tracked(FOLLOWER)
        return self.position

    def derive(self, events: Sequence[FeedEvent]) -> int:
        """A LogFollower's callback: writes the batch's messages and its position together,
        and returns how many were new. Raises if the store fails, so that the follower hands
        the batch again."""
        fresh = [e for e in events if e.position > self.position]
        if not fresh:
            return 0
        messages = self.urgent.derive(fresh)
        added = self.outbox.add(
            messages, at=self.steady.clock(), tracking=(FOLLOWER, fresh[-1].position)
        )
        self.position = fresh[-1].position
        if added:
            self._wake()
        return added

    def catch_up(self) -> int:
        """Derives every event after the outbox's position; returns how many messages it added."""
        self.start()
        added = 0
        while True:
            events = self.steady.events_after(self.position, PAGE)
            added += self.derive(events)
            if len(events) < PAGE:
                return added

    def make_digests(self, at: datetime) -> int:
        day = self.digests.due(at)
        if day is None:
            return 0
        added = self.outbox.add(self.digests.make(at), at=at)
        self.digests.made(day)
        return added

    def run_rounds(self, at: datetime) -> int:
        return sum(step(at) for step in self.rounds)

    # -- one round, and the server's schedule -------------------------------------------------

    async def run_once(self, at: datetime) -> Round:
        """Derives what the log holds, makes the digests due at `at` and sends what is due."""
        done = Round()
        done.derived = await asyncio.to_thread(self.catch_up)
        done.digests = await asyncio.to_thread(self.make_digests, at)
        done.escalated = await asyncio.to_thread(self.run_rounds, at)
        done.deliveries = await self.sender.send_due(at)
        return done

    async def keep_sending(self, interval: float = SEND_INTERVAL) -> None:
        """The server's background task: digests and deliveries every `interval` seconds, and
        at once when the follower adds a message. Never stops for a failure; stops after the
        round under way once `stop` is called (the store must stay open until then: await it)."""
        loop = asyncio.get_running_loop()
        woken = asyncio.Event()
        self._wake = lambda: loop.call_soon_threadsafe(woken.set)
        while not self._stopping:
            try:
                now = self.steady.clock()
                await asyncio.to_thread(self.make_digests, now)
                await asyncio.to_thread(self.run_rounds, now)
                await self.sender.send_due(now)
            except Exception:  # the store may be away: the next round tries again
                log.warning("the outbox's round failed; trying again", exc_info=True)
            if self._stopping:
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(woken.wait(), interval)
            woken.clear()

    def stop(self) -> None:
        """Ends `keep_sending` after its round under way."""
        self._stopping = True
        self._wake()
