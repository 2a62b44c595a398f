"""The live board feed: every event after a position from the log, then live, over a websocket.

Who sees what is the connection's audience (web/live/audiences.py); live frames come through the
hub (web/live/hub.py); an account change that invalidates the connection closes it with 1008
(web/live/revocation.py)."""

import asyncio
import json
from urllib.parse import urlsplit

from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery

from domain.account import Account
from service.accounts.refusals import SignInFailed
from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from web.access.auth import credential_of, signed_in
from web.errors import RETRY_AFTER, UNREACHABLE_READ
from web.live.audiences import Audience, audience_for
from web.live.hub import Hub, Subscriber, encode
from web.live.revocation import Holder, as_changed

TOO_SLOW = 1013  # "try again later": reconnect with ?after=<last position seen>
POLICY_VIOLATION = 1008
CATCH_UP_PAGE = 500
MAX_POSITION = 2**63 - 1  # the stores' positions are signed 64-bit integers


def same_origin(socket: WebSocket) -> bool:
    """A browser names the page's origin: refuse a page on another site using our cookie."""
    origin = socket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == (socket.headers.get("host") or "")


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
async def board_feed(
    socket: WebSocket, state: State, steady: NamedDependency[Steady], after: FromQuery[int] = 0
) -> None:
    """Sends every event after `after` from the log, then `caught_up`, then live events. The
    hub, the accounts and the partner feed come on the state the composition root filled.
    With the store out of reach it answers 503 with Retry-After instead of opening; if it
    goes out of reach while catching up, it closes with 1013 (reconnect with ?after=)."""
    try:
        account, audience = await sync_to_thread(_opening, socket, state)
    except (OperationalError, InterfaceError):
        await refuse_for_now(socket)
        return
    await socket.accept()
    if not 0 <= after <= MAX_POSITION:
        await socket.close(
            code=POLICY_VIOLATION, reason=f"after must be a position from 0 to {MAX_POSITION}"
        )
        return
    credential = credential_of(socket)
    if account is None or credential is None:
        await socket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    if audience is None:
        await socket.close(code=POLICY_VIOLATION, reason="your role may not view_board")
        return
    hub: Hub = state.hub
    holder = Holder(account.id, credential)
    # Subscribe before reading the log, so no event falls between the two; check the account
    # again after subscribing, so no revocation does either.
    subscriber = hub.subscribe(audience, server_transport(socket), holder)
    listener = asyncio.create_task(_until_closed(socket, subscriber))
    last = after
    try:
        hub.accounts_changed([await sync_to_thread(as_changed, 0, account.id, state)])
        while not subscriber.revoked:
            page = await sync_to_thread(catch_up_page, steady, audience, last)
            for position, view in page:
                if subscriber.revoked:
                    break
                if view is not None and audience.shown(position):
                    await socket.send_text(encode(view))
                last = position
            if len(page) < CATCH_UP_PAGE:
                break
        if not subscriber.revoked:
            await socket.send_text(json.dumps({"type": "caught_up", "position": last}))
        while not listener.done() and not subscriber.revoked:
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
            if subscriber.overflowed and not subscriber.revoked:
                last = max(last, subscriber.last)
                await socket.close(
                    code=TOO_SLOW, reason=f"too slow to keep up: reconnect with ?after={last}"
                )
                return
        if subscriber.revoked and not listener.done():
            await socket.close(code=POLICY_VIOLATION, reason=subscriber.revoked)
    except (OperationalError, InterfaceError):
        await socket.close(
            code=TOO_SLOW, reason=f"the store cannot be reached: reconnect with ?after={last}"
        )
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The client left (uvicorn says so with ClientDisconnected, an OSError, or a
        # RuntimeError once the socket is closed): nothing more to send, nothing to report.
        return
    finally:
        hub.unsubscribe(subscriber)
        listener.cancel()


def _opening(socket: WebSocket, state: State) -> tuple[Account | None, Audience | None]:
    """Who opens the feed, and what they may see. Reads the store: call it in a thread."""
    try:
        account = signed_in(socket) if same_origin(socket) else None
    except SignInFailed:
        return None, None
    return account, audience_for(account, state) if account is not None else None


async def refuse_for_now(socket: WebSocket) -> None:
    """503 with Retry-After instead of the handshake, where the server can answer one (uvicorn
    can); otherwise open and close at once with 1013, "try again later"."""
    if "websocket.http.response" not in socket.scope.get("extensions", {}):
        await socket.accept()
        await socket.close(code=TOO_SLOW, reason="the store cannot be reached: reconnect")
        return
    body = json.dumps(
        {"status": 503, "error": f"{UNREACHABLE_READ} Try again in {RETRY_AFTER} seconds."}
    ).encode()
    await socket.receive()  # the client's "websocket.connect", answered by this response
    await socket.send(
        {
            "type": "websocket.http.response.start",
            "status": 503,
            "headers": [
                (b"retry-after", str(RETRY_AFTER).encode()),
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await socket.send({"type": "websocket.http.response.body", "body": body})


async def _until_closed(socket: WebSocket, subscriber: Subscriber) -> None:
    """Reads (and ignores) what the client sends, to notice when it goes away."""
    try:
        while True:
            await socket.receive_data(mode="text")
    except Exception:
        pass
    finally:
        subscriber.ready.set()
