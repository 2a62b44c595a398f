"""The fan-out hub: each message is encoded once per audience and written to each live
connection's transport without awaiting it; a connection whose unsent bytes pile up is marked
to close with 1013, so one slow phone never holds up the rest. The hub also closes, through
web/live/revocation.py's refusal, the connections an account change invalidates."""

import asyncio
import json
from collections import deque
from uuid import UUID

from websockets.frames import Frame, Opcode

from service.live.feed_events import FeedEvent
from web.live.audiences import Audience
from web.live.revocation import AccountChanged, Holder, refusal

# A client further behind than this is disconnected rather than slowing the server.
MAX_UNSENT_BYTES = 1_000_000


class Subscriber:
    """One connection. Until it has caught up from the log, live frames wait in its queue;
    after that, where the server gives us its transport, frames are written straight to it."""

    def __init__(
        self,
        audience: Audience,
        limit: int,
        transport: asyncio.WriteTransport | None,
        holder: Holder | None = None,
    ):
        self.audience = audience
        self.limit = limit
        self.transport = transport
        self.holder = holder
        self.direct = False
        self.last = 0
        self.frames: deque[tuple[int, str]] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False
        self.revoked = ""  # why the connection must close (1008), once it must

    def push(self, position: int, text: str, frame: bytes) -> None:
        if self.overflowed or self.revoked:
            return
        if self.direct and self.transport is not None:
            if (position and position <= self.last) or self.transport.is_closing():
                return
            if self.transport.get_write_buffer_size() > MAX_UNSENT_BYTES:
                self._overflow()
                return
            self.transport.write(frame)
            self.last = position or self.last
        elif len(self.frames) >= self.limit:
            self._overflow()
        else:
            self.frames.append((position, text))
            self.ready.set()

    def _overflow(self) -> None:
        self.overflowed = True
        self.direct = False
        self.ready.set()

    def revoke(self, reason: str) -> None:
        """Nothing more is sent; the connection's task closes it with 1008 at once."""
        self.revoked = reason
        self.direct = False
        self.frames.clear()
        self.ready.set()


class Hub:
    def __init__(self, *, queue_limit: int = 2000) -> None:
        self.queue_limit = queue_limit
        self.position = 0
        self._audiences: dict[str, set[Subscriber]] = {}
        self._holders: dict[UUID, set[Subscriber]] = {}

    def subscribe(
        self,
        audience: Audience,
        transport: asyncio.WriteTransport | None = None,
        holder: Holder | None = None,
    ) -> Subscriber:
        subscriber = Subscriber(audience, self.queue_limit, transport, holder)
        self._audiences.setdefault(audience.key, set()).add(subscriber)
        if holder is not None:
            self._holders.setdefault(holder.account_id, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self._audiences.get(subscriber.audience.key)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._audiences[subscriber.audience.key]
        if subscriber.holder is not None:
            held = self._holders.get(subscriber.holder.account_id)
            if held is not None:
                held.discard(subscriber)
                if not held:
                    del self._holders[subscriber.holder.account_id]

    def personal_holders(self) -> set[UUID]:
        """The accounts whose connections see the board as themselves (a case team, a task
        named to them): those a change of case team or assignment may rescope. On the loop."""
        return {
            s.holder.account_id
            for held in self._holders.values()
            for s in held
            if s.holder is not None and s.audience.personal
        }

    def watches(self, account_id: UUID) -> bool:
        """Whether a connection here is held by this account (read from the follower's thread:
        a stale answer is covered by each connection's own check after subscribing)."""
        return account_id in self._holders

    def accounts_changed(self, changes: list[AccountChanged]) -> None:
        """Runs on the event loop: closes the connections that the changes invalidate."""
        latest = {c.account_id: c for c in changes if c.account is not None}
        for account_id, change in latest.items():
            for subscriber in list(self._holders.get(account_id, ())):
                if subscriber.holder is None or subscriber.revoked:
                    continue
                reason = refusal(
                    change.account, subscriber.holder, subscriber.audience, change.audience
                )
                if reason:
                    subscriber.revoke(reason)

    @property
    def connections(self) -> int:
        return sum(len(group) for group in self._audiences.values())

    def publish(self, events: list[FeedEvent]) -> None:
        """Runs on the event loop; the log follower calls it through call_soon_threadsafe."""
        for event in events:
            self.position = max(self.position, event.position)
            for group in list(self._audiences.values()):
                if not group:
                    continue
                audience = next(iter(group)).audience
                shown = audience.view(event)
                if shown is None:
                    continue
                text = encode(shown)
                frame = text_frame(text)
                for subscriber in list(group):
                    subscriber.push(event.position, text, frame)

    def heartbeat(self) -> None:
        text = json.dumps({"type": "heartbeat", "position": self.position})
        frame = text_frame(text)
        for group in list(self._audiences.values()):
            for subscriber in list(group):
                subscriber.push(0, text, frame)


def encode(event: FeedEvent) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":"))


def text_frame(text: str) -> bytes:
    """A server-to-client frame is unmasked, so one encoding serves every connection."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
