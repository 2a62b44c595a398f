"""The live board feed: every event after a position from the log, then live, over a websocket.

Each message is encoded once per audience (subscribers who may see the same things), not once
per client, and written to each live connection's transport without awaiting it; a connection
whose unsent bytes pile up is closed with 1013, so one slow phone never holds up the rest."""

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery
from websockets.frames import Frame, Opcode

from domain.account import Account
from service.accounts import SignInFailed
from service.application import Steady
from service.feed import FeedEvent
from service.partner_feed import PartnerFeed
from service.permissions import can
from web.auth import partner_organisation, signed_in

TOO_SLOW = 1013  # "try again later": reconnect with ?after=<last position seen>
# A client further behind than this is disconnected rather than slowing the server.
MAX_UNSENT_BYTES = 1_000_000
CATCH_UP_PAGE = 500
MAX_POSITION = 2**63 - 1  # the stores' positions are signed 64-bit integers


def _whole(event: FeedEvent) -> FeedEvent | None:
    return event


def _always(position: int) -> bool:
    return True


@dataclass(frozen=True)
class Audience:
    """Subscribers who may see the same things: the district's people see every event whole;
    each partner organisation sees only its part of the incidents shared with it."""

    key: str = "everyone"
    # The event as this audience may see it, or None if none of it is theirs.
    view: Callable[[FeedEvent], FeedEvent | None] = field(default=_whole, compare=False)
    # Whether a view decided earlier may still be sent: an ended share withdraws what it showed,
    # even from a connection that has it queued.
    shown: Callable[[int], bool] = field(default=_always, compare=False)


EVERYONE = Audience()
POLICY_VIOLATION = 1008


def partner_audience(organisation: str, feed: PartnerFeed) -> Audience:
    return Audience(
        f"partner:{organisation}",
        partial(feed.view, organisation),
        partial(feed.shown, organisation),
    )


def audience_for(account: Account, feed: PartnerFeed) -> Audience | None:
    """The audience of the account's connections, or None if it may not see the board."""
    if not can(account.roles, "view_board") or account.disabled:
        return None
    organisation = partner_organisation(account)
    return EVERYONE if organisation is None else partner_audience(organisation, feed)


def same_origin(socket: WebSocket) -> bool:
    """A browser names the page's origin: refuse a page on another site using our cookie."""
    origin = socket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == (socket.headers.get("host") or "")


class Subscriber:
    """One connection. Until it has caught up from the log, live frames wait in its queue;
    after that, where the server gives us its transport, frames are written straight to it."""

    def __init__(self, audience: Audience, limit: int, transport: asyncio.WriteTransport | None):
        self.audience = audience
        self.limit = limit
        self.transport = transport
        self.direct = False
        self.last = 0
        self.frames: deque[tuple[int, str]] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False

    def push(self, position: int, text: str, frame: bytes) -> None:
        if self.overflowed:
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


class Hub:
    def __init__(self, *, queue_limit: int = 2000) -> None:
        self.queue_limit = queue_limit
        self.position = 0
        self._audiences: dict[str, set[Subscriber]] = {}

    def subscribe(
        self, audience: Audience, transport: asyncio.WriteTransport | None = None
    ) -> Subscriber:
        subscriber = Subscriber(audience, self.queue_limit, transport)
        self._audiences.setdefault(audience.key, set()).add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        group = self._audiences.get(subscriber.audience.key)
        if group is not None:
            group.discard(subscriber)
            if not group:
                del self._audiences[subscriber.audience.key]

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


def server_transport(socket: WebSocket) -> asyncio.WriteTransport | None:
    """The transport under uvicorn's websockets protocol, found through the ASGI send
    callable; None under any other server (then frames go through ASGI, one at a time)."""
    pending: list[object] = [socket.send]
    seen: set[int] = set()
    while pending and len(seen) < 20:
        function = pending.pop()
        if id(function) in seen:
            continue
        seen.add(id(function))
        owner = getattr(function, "__self__", None)
        transport = getattr(owner, "transport", None)
        if type(owner).__module__.startswith("uvicorn.") and isinstance(
            transport, asyncio.WriteTransport
        ):
            return transport
        for cell in getattr(function, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if callable(value):
                pending.append(value)
    return None


def catch_up_page(
    steady: Steady, audience: Audience, after: int
) -> list[tuple[int, FeedEvent | None]]:
    """The next page of the log after a position, each event as the audience may see it.
    Runs in a worker thread: working out a partner's view may read the store."""
    events = steady.events_after(after, CATCH_UP_PAGE)
    if events:
        audience.view(events[-1])  # first: a share that ended in this page withdraws its views
    return [(e.position, audience.view(e)) for e in events]


async def heartbeats(hub: Hub, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        hub.heartbeat()


@websocket("/ws/board")
async def board_feed(socket: WebSocket, after: FromQuery[int] = 0) -> None:
    """Sends every event after `after` from the log, then `caught_up`, then live events."""
    await socket.accept()
    if not 0 <= after <= MAX_POSITION:
        await socket.close(
            code=POLICY_VIOLATION, reason=f"after must be a position from 0 to {MAX_POSITION}"
        )
        return
    try:
        account = await sync_to_thread(signed_in, socket) if same_origin(socket) else None
    except SignInFailed:
        account = None
    if account is None:
        await socket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    audience = audience_for(account, socket.app.state.partner_feed)
    if audience is None:
        await socket.close(code=POLICY_VIOLATION, reason="your role may not view_board")
        return
    hub: Hub = socket.app.state.hub
    steady: Steady = socket.app.state.steady
    # Subscribe before reading the log, so no event falls between the two.
    subscriber = hub.subscribe(audience, server_transport(socket))
    listener = asyncio.create_task(_until_closed(socket, subscriber))
    try:
        last = after
        while True:
            page = await sync_to_thread(catch_up_page, steady, audience, last)
            for position, view in page:
                if view is not None and audience.shown(position):
                    await socket.send_text(encode(view))
                last = position
            if len(page) < CATCH_UP_PAGE:
                break
        await socket.send_text(json.dumps({"type": "caught_up", "position": last}))
        while not listener.done():
            while subscriber.frames:
                position, text = subscriber.frames.popleft()
                if position and position <= last:
                    continue  # already sent while catching up
                if position and not audience.shown(position):
                    continue  # withdrawn since it was queued: the share it belonged to ended
                await socket.send_text(text)
                last = position or last
            if subscriber.transport is not None and not subscriber.overflowed:
                # Nothing is queued and no await stands between here and the switch, so no
                # frame can overtake another.
                subscriber.last = last
                subscriber.direct = True
            subscriber.ready.clear()
            await subscriber.ready.wait()
            if subscriber.overflowed:
                last = max(last, subscriber.last)
                await socket.close(
                    code=TOO_SLOW, reason=f"too slow to keep up: reconnect with ?after={last}"
                )
                return
    except (WebSocketDisconnect, ConnectionError, RuntimeError):
        return
    finally:
        hub.unsubscribe(subscriber)
        listener.cancel()


async def _until_closed(socket: WebSocket, subscriber: Subscriber) -> None:
    """Reads (and ignores) what the client sends, to notice when it goes away."""
    try:
        while True:
            await socket.receive_data(mode="text")
    except Exception:
        pass
    finally:
        subscriber.ready.set()
