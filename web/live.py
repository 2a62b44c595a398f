"""The live board feed: every event after a position from the log, then live, over a websocket.

Each message is encoded once per audience (subscribers who may see the same things), not once
per client; each connection drains its own queue, so one slow phone never holds up the rest."""

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery

from service.application import Steady
from service.feed import FeedEvent

TOO_SLOW = 1013  # "try again later": reconnect with ?after=<last position seen>
CATCH_UP_PAGE = 500


@dataclass(frozen=True)
class Audience:
    """Who may see an event. Everyone sees everything today; need-to-know narrows this later."""

    key: str = "everyone"
    accepts: Callable[[FeedEvent], bool] = field(default=lambda event: True, compare=False)


EVERYONE = Audience()


class Subscriber:
    def __init__(self, audience: Audience, limit: int) -> None:
        self.audience = audience
        self.limit = limit
        self.frames: deque[tuple[int, str]] = deque()
        self.ready = asyncio.Event()
        self.overflowed = False

    def push(self, position: int, frame: str) -> None:
        if len(self.frames) >= self.limit:
            self.overflowed = True
        else:
            self.frames.append((position, frame))
        self.ready.set()


class Hub:
    def __init__(self, *, queue_limit: int = 2000) -> None:
        self.queue_limit = queue_limit
        self.position = 0
        self._audiences: dict[str, set[Subscriber]] = {}

    def subscribe(self, audience: Audience) -> Subscriber:
        subscriber = Subscriber(audience, self.queue_limit)
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
                if not audience.accepts(event):
                    continue
                frame = encode(event)
                for subscriber in group:
                    subscriber.push(event.position, frame)

    def heartbeat(self) -> None:
        frame = json.dumps({"type": "heartbeat", "position": self.position})
        for group in self._audiences.values():
            for subscriber in group:
                subscriber.push(0, frame)


def encode(event: FeedEvent) -> str:
    return json.dumps(event.as_dict(), ensure_ascii=False, separators=(",", ":"))


async def heartbeats(hub: Hub, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        hub.heartbeat()


@websocket("/ws/board")
async def board_feed(socket: WebSocket, after: FromQuery[int] = 0) -> None:
    """Sends every event after `after` from the log, then `caught_up`, then live events."""
    await socket.accept()
    if after < 0:
        await socket.close(code=1008, reason="after must be a position of 0 or more")
        return
    hub: Hub = socket.app.state.hub
    steady: Steady = socket.app.state.steady
    subscriber = hub.subscribe(EVERYONE)  # before reading the log, so nothing falls between
    listener = asyncio.create_task(_until_closed(socket, subscriber))
    try:
        last = after
        while True:
            page = await sync_to_thread(steady.events_after, last, CATCH_UP_PAGE)
            for event in page:
                if subscriber.audience.accepts(event):
                    await socket.send_text(encode(event))
                last = event.position
            if len(page) < CATCH_UP_PAGE:
                break
        await socket.send_text(json.dumps({"type": "caught_up", "position": last}))
        while not listener.done():
            await subscriber.ready.wait()
            subscriber.ready.clear()
            if subscriber.overflowed:
                await socket.close(
                    code=TOO_SLOW, reason=f"too slow to keep up: reconnect with ?after={last}"
                )
                return
            while subscriber.frames:
                position, frame = subscriber.frames.popleft()
                if position and position <= last:
                    continue  # already sent while catching up
                await socket.send_text(frame)
                last = position or last
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
