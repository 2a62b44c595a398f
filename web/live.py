"""The live board feed: every event after a position from the log, then live, over a websocket.

Each message is encoded once per audience (subscribers who may see the same things), not once
per client, and written to each live connection's transport without awaiting it; a connection
whose unsent bytes pile up is closed with 1013, so one slow phone never holds up the rest.

Revocation reaches the feed through the same log: the hub knows each connection's account and
credential (token id, or the session's count of ended sessions); a follower of account events,
one per instance, hands it each changed account as stored, and the hub closes with 1008 every
connection the change invalidates (account disabled, token revoked, sessions ended) or whose
audience it changes (a role taken away). A connection is checked again right after it
subscribes, so a change that lands between signing in and subscribing is not missed."""

import asyncio
import json
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from urllib.parse import urlsplit
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery
from websockets.frames import Frame, Opcode

from domain.account import Account
from service.accounts import Accounts, SignInFailed
from service.application import Steady
from service.feed import FeedEvent
from service.partner_feed import PartnerFeed
from service.permissions import can
from web.auth import (
    Credential,
    accounts_of,
    credential_holds,
    credential_of,
    partner_organisation,
    signed_in,
)

TOO_SLOW = 1013  # "try again later": reconnect with ?after=<last position seen>
# A client further behind than this is disconnected rather than slowing the server.
MAX_UNSENT_BYTES = 1_000_000
CATCH_UP_PAGE = 500
MAX_POSITION = 2**63 - 1  # the stores' positions are signed 64-bit integers


def _whole(event: FeedEvent) -> FeedEvent | None:
    return event


@dataclass(frozen=True)
class Audience:
    """Subscribers who may see the same things: the district's people see every event whole;
    each partner organisation sees only its part of the incidents shared with it."""

    key: str = "everyone"
    # The event as this audience may see it, or None if none of it is theirs.
    view: Callable[[FeedEvent], FeedEvent | None] = field(default=_whole, compare=False)


EVERYONE = Audience()
POLICY_VIOLATION = 1008


def partner_audience(organisation: str, feed: PartnerFeed) -> Audience:
    return Audience(f"partner:{organisation}", partial(feed.view, organisation))


def audience_for(account: Account, feed: PartnerFeed) -> Audience | None:
    """The audience of the account's connections, or None if it may not see the board."""
    if not can(account.roles, "view_board") or account.disabled:
        return None
    organisation = partner_organisation(account)
    return EVERYONE if organisation is None else partner_audience(organisation, feed)


@dataclass(frozen=True)
class Holder:
    """Who holds a connection, and with what: what an account change is checked against."""

    account_id: UUID
    credential: Credential


@dataclass(frozen=True)
class AccountChanged:
    """An account as stored after a change at `position` (None: not one the hub watches)."""

    position: int
    account_id: UUID
    account: Account | None


def refusal(account: Account | None, holder: Holder, audience: Audience, feed: PartnerFeed) -> str:
    """Why a connection may no longer stay open, or "" if it may."""
    if account is None or not credential_holds(account, holder.credential):
        return "signed out: the account, its token or its session is no longer valid"
    now = audience_for(account, feed)
    if now is None:
        return "your role may not view_board"
    if now.key != audience.key:
        return "what you may see has changed: reconnect"
    return ""


def account_changes(accounts: Accounts, hub: "Hub") -> Callable[[int, int], list[AccountChanged]]:
    """Reads account changes after a position for a LogFollower, loading (in its thread) each
    changed account that has a connection here, once per page, as it is stored now."""

    def read(position: int, limit: int) -> list[AccountChanged]:
        changes = accounts.changed_after(position, limit)
        watched = {c.account_id for c in changes if hub.watches(c.account_id)}
        loaded = {account_id: accounts.by_id(account_id) for account_id in watched}
        return [AccountChanged(c.position, c.account_id, loaded.get(c.account_id)) for c in changes]

    return read


def same_origin(socket: WebSocket) -> bool:
    """A browser names the page's origin: refuse a page on another site using our cookie."""
    origin = socket.headers.get("origin")
    if not origin:
        return True
    return urlsplit(origin).netloc == (socket.headers.get("host") or "")


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

    def watches(self, account_id: UUID) -> bool:
        """Whether a connection here is held by this account (read from the follower's thread:
        a stale answer is covered by each connection's own check after subscribing)."""
        return account_id in self._holders

    def accounts_changed(self, changes: list[AccountChanged], feed: PartnerFeed) -> None:
        """Runs on the event loop: closes the connections that the changes invalidate."""
        latest = {c.account_id: c.account for c in changes if c.account is not None}
        for account_id, account in latest.items():
            self.recheck(account_id, account, feed)

    def recheck(self, account_id: UUID, account: Account | None, feed: PartnerFeed) -> None:
        for subscriber in list(self._holders.get(account_id, ())):
            if subscriber.holder is None or subscriber.revoked:
                continue
            reason = refusal(account, subscriber.holder, subscriber.audience, feed)
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
    return [(e.position, audience.view(e)) for e in steady.events_after(after, CATCH_UP_PAGE)]


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
    credential = credential_of(socket)
    if account is None or credential is None:
        await socket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    feed: PartnerFeed = socket.app.state.partner_feed
    audience = audience_for(account, feed)
    if audience is None:
        await socket.close(code=POLICY_VIOLATION, reason="your role may not view_board")
        return
    hub: Hub = socket.app.state.hub
    steady: Steady = socket.app.state.steady
    holder = Holder(account.id, credential)
    # Subscribe before reading the log, so no event falls between the two; check the account
    # again after subscribing, so no revocation does either.
    subscriber = hub.subscribe(audience, server_transport(socket), holder)
    listener = asyncio.create_task(_until_closed(socket, subscriber))
    try:
        now = await sync_to_thread(accounts_of(socket).by_id, account.id)
        hub.recheck(account.id, now, feed)
        last = after
        while not subscriber.revoked:
            page = await sync_to_thread(catch_up_page, steady, audience, last)
            for position, view in page:
                if subscriber.revoked:
                    break
                if view is not None:
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
    except (WebSocketDisconnect, OSError, RuntimeError):
        # The client left (uvicorn says so with ClientDisconnected, an OSError, or a
        # RuntimeError once the socket is closed): nothing more to send, nothing to report.
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
