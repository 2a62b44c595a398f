"""The live board feed: every event after a position from the log, then live, over a websocket.

One session (`run_feed`) serves both servers that may carry the socket: `steady serve` hands the
upgrade to the websockets library's server (web/live/feed_server.py), whose connections take
pre-built frames straight from the hub; any other ASGI server (and Litestar's test client)
reaches the Litestar route below, which sends each frame through ASGI. Who sees what is the
connection's audience (web/live/audiences.py); live frames come through the hub
(web/live/hub.py); an account change that invalidates the connection closes it with 1008
(web/live/revocation.py)."""

import asyncio
import json
from typing import Protocol
from urllib.parse import urlsplit

from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect

from service.accounts.refusals import SignInFailed
from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.live.live_log import LiveEvent, LiveLog
from web.access.auth import credential_of, signed_in
from web.errors import RETRY_AFTER, UNREACHABLE_READ
from web.live.audiences import Audience, audience_for
from web.live.hub import POLICY_VIOLATION, TOO_SLOW, Hub, Link, Subscriber, encode
from web.live.revocation import Holder, as_changed

CATCH_UP_PAGE = 500
MAX_POSITION = 2**63 - 1  # the stores' positions are signed 64-bit integers
BAD_AFTER = f"after must be a position from 0 to {MAX_POSITION}"


class FeedSocket(Protocol):
    """What a session needs of the socket under it (a Litestar WebSocket, a websockets
    connection): sending a message, closing, and word when the client has gone."""

    link: Link | None  # where the hub may write live frames itself, if the server allows

    @property
    def gone(self) -> bool: ...

    def watch(self, wake: asyncio.Event) -> None:
        """Sets `wake` when the client goes away."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


def same_origin(connection: ASGIConnection) -> bool:
    """A browser names the page's origin: refuse a page on another site using our cookie."""
    origin = connection.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == (connection.headers.get("host") or "")


def position_after(raw: str | None) -> int | None:
    """The `after` query parameter as a position, or None if it is not one."""
    if raw is None or raw == "":
        return 0
    try:
        after = int(raw)
    except ValueError:
        return None
    return after if 0 <= after <= MAX_POSITION else None


def catch_up_page(
    steady: Steady, live_log: LiveLog, audience: Audience, after: int
) -> list[tuple[int, LiveEvent | None]]:
    """The next page of the log after a position, each event as the audience may see it.
    Runs in a worker thread: working out a partner's view may read the store."""
    events = live_log.after(after, CATCH_UP_PAGE)
    steady.board.catch_up()  # the follow-ups' and people's news is judged by the board
    incident_events = [e for e in events if isinstance(e, FeedEvent)]
    if incident_events:
        # First: a share that ended in this page withdraws its views.
        audience.view(incident_events[-1])
    return [(e.position, audience.view(e)) for e in events]


async def heartbeats(hub: Hub, every: float) -> None:
    while True:
        await asyncio.sleep(every)
        hub.heartbeat()


async def run_feed(
    socket: FeedSocket, connection: ASGIConnection, state: State, after: int | None
) -> None:
    """Sends every event after `after` from the log, then `caught_up`, then live events, until
    the client leaves (`socket` wakes the subscriber's `ready` then) or must be closed."""
    if after is None:
        await socket.close(POLICY_VIOLATION, BAD_AFTER)
        return
    try:
        admitted = await _admit(socket, connection, state)
    except (OperationalError, InterfaceError):
        await socket.close(TOO_SLOW, f"{UNREACHABLE_READ} Reconnect in {RETRY_AFTER} seconds.")
        return
    del connection  # an idle connection keeps no more than it needs
    if admitted is None:
        return
    audience, holder = admitted
    hub: Hub = state.hub
    steady: Steady = state.steady
    live_log: LiveLog = state.live_log
    # Subscribe before reading the log, so no event falls between the two; check the account
    # again after subscribing, so no revocation does either.
    subscriber = hub.subscribe(audience, socket.link, holder)
    socket.watch(subscriber.ready)
    try:
        hub.accounts_changed([await sync_to_thread(as_changed, 0, holder.account_id, state)])
        await _catch_up(socket, subscriber, steady, live_log, after)
        if not subscriber.revoked:
            await socket.send_text(json.dumps({"type": "caught_up", "position": subscriber.last}))
        await _follow(socket, subscriber, hub)
    except (OperationalError, InterfaceError):
        # The store went out of reach while catching up: reconnect from the last position.
        reason = f"the store cannot be reached: reconnect with ?after={subscriber.last}"
        await socket.close(TOO_SLOW, reason)
    finally:
        hub.unsubscribe(subscriber)


async def _admit(
    socket: FeedSocket, connection: ASGIConnection, state: State
) -> tuple[Audience, Holder] | None:
    """The audience and holder of a signed-in person who may view the board; otherwise the
    socket is closed with 1008 saying why, and None."""
    try:
        account = await sync_to_thread(signed_in, connection) if same_origin(connection) else None
    except SignInFailed:
        account = None
    credential = credential_of(connection)
    if account is None or credential is None:
        await socket.close(POLICY_VIOLATION, "sign in first")
        return None
    audience = await sync_to_thread(audience_for, account, state)
    if audience is None:
        await socket.close(POLICY_VIOLATION, "your role may not see the board of open incidents")
        return None
    return audience, Holder(account.id, credential)


async def _catch_up(
    socket: FeedSocket, subscriber: Subscriber, steady: Steady, live_log: LiveLog, after: int
) -> None:
    audience = subscriber.audience
    subscriber.last = after
    while not subscriber.revoked:
        page = await sync_to_thread(catch_up_page, steady, live_log, audience, subscriber.last)
        for position, view in page:
            if subscriber.revoked:
                return
            # Only an incident event's view can be withdrawn (by the end of a share).
            if view is not None and (not isinstance(view, FeedEvent) or audience.shown(position)):
                await socket.send_text(encode(view))
            subscriber.last = position
        if len(page) < CATCH_UP_PAGE:
            return


async def _follow(socket: FeedSocket, subscriber: Subscriber, hub: Hub) -> None:
    """Sends what was queued for the connection, hands it to the hub's own writes where it
    may, and closes it when it must: 1013 for a client too far behind, 1008 once revoked."""
    audience = subscriber.audience
    while not socket.gone:
        if subscriber.revoked:
            await socket.close(POLICY_VIOLATION, subscriber.revoked)
            return
        if subscriber.overflowed:
            reason = f"too slow to keep up: reconnect with ?after={subscriber.last}"
            await socket.close(TOO_SLOW, reason)
            return
        if subscriber.frames:
            position, text, withdrawable = subscriber.frames.popleft()
            if position and position <= subscriber.last:
                continue  # already sent while catching up
            if withdrawable and not audience.shown(position):
                continue  # withdrawn since it was queued: the share it belonged to ended
            await socket.send_text(text)
            subscriber.last = position or subscriber.last
            continue
        # The queue is empty and no await stands between here and the wait (or the switch to
        # the hub's own writes), so no frame can overtake another.
        if not subscriber.live:
            hub.go_live(subscriber)
        subscriber.ready.clear()
        await subscriber.ready.wait()


@websocket("/ws/board")
async def board_feed(socket: WebSocket, state: State) -> None:
    """The feed under an ASGI server: each frame through ASGI, one connection at a time."""
    await socket.accept()
    feed = _AsgiSocket(socket)
    try:
        await run_feed(feed, socket, state, position_after(socket.query_params.get("after")))
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The client left (a disconnect, an OSError, or a RuntimeError once the socket is
        # closed): nothing more to send, nothing to report.
        return
    finally:
        feed.listener.cancel()


class _AsgiSocket:
    """A Litestar WebSocket as a FeedSocket: frames one at a time, no link."""

    link: Link | None = None

    def __init__(self, socket: WebSocket) -> None:
        self._socket = socket
        self._woken: list[asyncio.Event] = []
        self.listener = asyncio.create_task(self._until_closed())

    @property
    def gone(self) -> bool:
        return self.listener.done()

    def watch(self, wake: asyncio.Event) -> None:
        self._woken.append(wake)

    async def send_text(self, text: str) -> None:
        await self._socket.send_text(text)

    async def close(self, code: int, reason: str) -> None:
        if not self.gone:
            await self._socket.close(code=code, reason=reason)

    async def _until_closed(self) -> None:
        """Reads (and ignores) what the client sends, to notice when it goes away."""
        try:
            while True:
                await self._socket.receive_data(mode="text")
        except Exception:
            pass
        finally:
            for wake in self._woken:
                wake.set()
