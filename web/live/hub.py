"""The fan-out hub: connections are grouped by audience; each event is encoded once per audience
into one pre-built frame, and that frame is written to every live connection of the audience
with one non-blocking write each, never awaiting any of them. A connection still catching up
from the log gets its frames queued instead. A connection whose unsent bytes pile up, or whose
queue overflows, is closed with 1013, so one slow phone never holds up the rest. The hub also
closes, through web/live/revocation.py's refusal, the connections an account change
invalidates."""

import asyncio
import json
from collections import deque
from typing import Protocol
from uuid import UUID

from websockets.frames import Frame, Opcode

from service.live.feed_events import FeedEvent
from service.live.live_log import LiveEvent
from web.live.audiences import Audience
from web.live.revocation import AccountChanged, Holder, refusal

TOO_SLOW = 1013  # "try again later": reconnect with ?after=<last position seen>
POLICY_VIOLATION = 1008
# A client further behind than this is disconnected rather than slowing the server.
MAX_UNSENT_BYTES = 1_000_000


class Link(Protocol):
    """A connection the hub may write pre-built frames to (web/live/feed_server.py's): it
    calls Hub.too_slow when its unsent bytes pass MAX_UNSENT_BYTES."""

    def write(self, frame: bytes) -> None:
        """Queues the frame on the socket at once, never waiting for it to be sent."""


class Subscriber:
    """One connection. Until it has caught up from the log (and, under an ASGI server, for
    good), live frames wait in its queue for its own task to send; once caught up, a
    connection with a link gets frames straight from the hub."""

    __slots__ = (
        "audience",
        "frames",
        "holder",
        "last",
        "limit",
        "link",
        "live",
        "overflowed",
        "ready",
        "revoked",
    )

    def __init__(
        self, audience: Audience, limit: int, link: Link | None, holder: Holder | None
    ) -> None:
        self.audience = audience
        self.limit = limit
        self.link = link
        self.holder = holder
        self.live = False
        self.last = 0  # the last position sent (by its own task, before going live)
        # (position, text, whether an ended share may withdraw it: an incident event's view)
        self.frames: deque[tuple[int, str, bool]] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False
        self.revoked = ""  # why the connection must close (1008), once it must

    def push(self, position: int, text: str, withdrawable: bool = False) -> None:
        if self.overflowed or self.revoked:
            return
        if len(self.frames) >= self.limit:
            self.overflowed = True
        else:
            self.frames.append((position, text, withdrawable))
        self.ready.set()


class Group:
    """The connections of one audience: those catching up (queued) and those live."""

    __slots__ = ("audience", "links", "members", "sent")

    def __init__(self, audience: Audience) -> None:
        self.audience = audience
        self.members: set[Subscriber] = set()
        self.links: dict[Link, Subscriber] = {}  # the live ones, by the link they write to
        self.sent = 0  # the last position written to the live links

    def write(self, frame: bytes) -> None:
        # A copy: a write may end a connection (too slow) and so change the dict.
        for link in tuple(self.links):
            link.write(frame)


class Hub:
    def __init__(self, *, queue_limit: int = 2000) -> None:
        self.queue_limit = queue_limit
        self.position = 0
        self._groups: dict[str, Group] = {}
        self._holders: dict[UUID, set[Subscriber]] = {}

    def subscribe(
        self, audience: Audience, link: Link | None = None, holder: Holder | None = None
    ) -> Subscriber:
        subscriber = Subscriber(audience, self.queue_limit, link, holder)
        group = self._groups.get(audience.key)
        if group is None:
            group = self._groups[audience.key] = Group(audience)
        group.members.add(subscriber)
        if holder is not None:
            self._holders.setdefault(holder.account_id, set()).add(subscriber)
        return subscriber

    def go_live(self, subscriber: Subscriber) -> bool:
        """Moves a caught-up connection with a link from its queue to the hub's own writes,
        once the hub has published everything it has sent (no frame twice, none lost). The
        caller has sent every queued frame, with no await since."""
        group = self._groups.get(subscriber.audience.key)
        if (
            subscriber.link is None
            or group is None
            or subscriber.frames
            or subscriber.overflowed
            or subscriber.revoked
            or subscriber.last > self.position
        ):
            return False
        subscriber.live = True
        group.links[subscriber.link] = subscriber
        return True

    def too_slow(self, link: Link) -> None:
        """Called when a live link's unsent bytes pass MAX_UNSENT_BYTES: it gets no more and
        is closed with 1013, naming the position to resume from (everything written before
        is in its socket's buffer, ahead of the close)."""
        for group in self._groups.values():
            subscriber = group.links.pop(link, None)
            if subscriber is not None:
                subscriber.overflowed = True
                subscriber.live = False
                subscriber.last = max(subscriber.last, group.sent)
                subscriber.ready.set()  # its own task closes it
                return

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self._groups.get(subscriber.audience.key)
        if group is not None:
            group.members.discard(subscriber)
            if subscriber.link is not None:
                group.links.pop(subscriber.link, None)
            if not group.members:
                del self._groups[subscriber.audience.key]
        subscriber.live = False
        if subscriber.holder is not None:
            held = self._holders.get(subscriber.holder.account_id)
            if held is not None:
                held.discard(subscriber)
                if not held:
                    del self._holders[subscriber.holder.account_id]

    def revoke(self, subscriber: Subscriber, reason: str) -> None:
        """Nothing more is sent; the connection's own task closes it with 1008 at once."""
        subscriber.revoked = reason
        subscriber.frames.clear()
        group = self._groups.get(subscriber.audience.key)
        if subscriber.live and group is not None and subscriber.link is not None:
            group.links.pop(subscriber.link, None)
        subscriber.live = False
        subscriber.ready.set()

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
                    self.revoke(subscriber, reason)

    @property
    def connections(self) -> int:
        return sum(len(group.members) for group in self._groups.values())

    def publish(self, events: list[LiveEvent]) -> None:
        """Runs on the event loop; the log follower calls it through call_soon_threadsafe."""
        for event in events:
            self.position = max(self.position, event.position)
            for group in list(self._groups.values()):
                shown = group.audience.view(event)
                if shown is None:
                    continue
                self._send(group, event.position, encode(shown), isinstance(event, FeedEvent))

    def heartbeat(self) -> None:
        text = json.dumps({"type": "heartbeat", "position": self.position})
        for group in list(self._groups.values()):
            self._send(group, 0, text)

    @staticmethod
    def _send(group: Group, position: int, text: str, withdrawable: bool = False) -> None:
        if len(group.links) < len(group.members):  # some are catching up: queue it for them
            for subscriber in tuple(group.members):
                if not subscriber.live:
                    subscriber.push(position, text, withdrawable)
        if group.links:
            group.sent = position or group.sent
            group.write(text_frame(text))


def encode(event: LiveEvent) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":"))


def text_frame(text: str) -> bytes:
    """A server-to-client frame is unmasked, so one encoding serves every connection."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
