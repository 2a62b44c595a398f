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
from dataclasses import dataclass, field, replace
from functools import partial
from urllib.parse import urlsplit
from uuid import UUID

from litestar import WebSocket, websocket
from litestar.concurrency import sync_to_thread
from litestar.datastructures import State
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromQuery
from websockets.frames import Frame, Opcode

from domain.account import Account
from domain.errors import DomainError
from service.access.need_to_know import Sight, Viewer, is_personal, sight
from service.access.permissions import Scope, can
from service.accounts.refusals import SignInFailed
from service.incidents.application import Steady
from service.incidents.board import Board
from service.live.feed_events import FeedEvent
from service.sharing.feed import PartnerFeed
from web.auth import (
    Credential,
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


def _always(position: int) -> bool:
    return True


@dataclass(frozen=True)
class Audience:
    """Subscribers who may see the same things, so that each event is encoded once for them:
    crisis leads and auditors see every event whole; district leaders and responders, grouped
    by roles and schools (or one by one when a case team or a task named to them makes what
    they see their own), see the events of the incidents the need-to-know rule lets them see;
    each partner organisation sees only its part of the incidents shared with it."""

    key: str = "everyone"
    # The event as this audience may see it, or None if none of it is theirs.
    view: Callable[[FeedEvent], FeedEvent | None] = field(default=_whole, compare=False)
    # Whether a view decided earlier may still be sent: an ended share withdraws what it showed,
    # even from a connection that has it queued.
    shown: Callable[[int], bool] = field(default=_always, compare=False)

    @property
    def personal(self) -> bool:
        """One account's own view (see district_audience)."""
        return ":@" in self.key


EVERYONE = Audience()
POLICY_VIOLATION = 1008
# Closed with 1008 too: the client reconnects at once and gets the audience it now has.
RESCOPED = "what you may see has changed: reconnect"


def partner_audience(organisation: str, feed: PartnerFeed) -> Audience:
    return Audience(
        f"partner:{organisation}",
        partial(feed.view, organisation),
        partial(feed.shown, organisation),
    )


def district_view(viewer: Viewer, board: Board, event: FeedEvent) -> FeedEvent | None:
    """The event whole if the viewer may see its incident now (by the same rule as the REST
    surfaces), else nothing: a confidential case they may only count sends them nothing."""
    incident = board.incident_as_of(event.incident_id, event.position)
    if incident is None or sight(viewer, incident) != Sight.WHOLE:
        return None
    return event


def district_audience(viewer: Viewer, board: Board, personal: bool) -> Audience:
    """Everyone with these roles and schools shares one audience, judged without anyone's
    personal grants; a personal audience is judged as the account itself."""
    judged = viewer if personal else viewer.anonymous()
    key = "district:" + ",".join(sorted(viewer.roles))
    if Scope.SCHOOL in viewer.reach:
        key += ":" + ",".join(sorted(viewer.schools))
    if personal:
        key += f":@{viewer.username}"
    return Audience(key, partial(district_view, judged, board))


def audience_for(account: Account, state: State) -> Audience | None:
    """The audience of the account's connections, or None if it may not see the board. Reads
    the store (the account's schools, the board): call it from a worker thread."""
    if not can(account.roles, "view_board") or account.disabled:
        return None
    organisation = partner_organisation(account)
    if organisation is not None:
        return partner_audience(organisation, state.partner_feed)
    viewer: Viewer = state.school_names.viewer(account)
    if viewer.every_case:
        return EVERYONE
    board: Board = state.steady.board
    return district_audience(viewer, board, is_personal(viewer, board.incidents()))


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
    # Its connections' audience as of this change, worked out where the store may be read.
    audience: Audience | None = None


def as_changed(position: int, account_id: UUID, state: State) -> AccountChanged:
    """The account as stored now, with its audience. Reads the store: call it in a thread."""
    account = state.accounts.by_id(account_id)
    audience = audience_for(account, state) if account is not None else None
    return AccountChanged(position, account_id, account, audience)


# Events that may change whose view of the board is their own (see district_audience).
_RESCOPING = ("case_team_member_added", "case_team_member_removed", "task_assigned")


def people_named(events: list[FeedEvent]) -> set[str]:
    """The usernames that events make or unmake personal: case team members and people a task
    is assigned to. An empty set when no event may rescope anyone."""
    named: set[str] = set()
    for event in events:
        if event.type not in _RESCOPING:
            continue
        named.add("")  # someone may lose a personal view: every personal holder is rechecked
        if event.type != "task_assigned":
            named.add(str(event.data.get("username", "")))
        elif event.data.get("assignee_kind") == "person":
            named.add(str(event.data.get("assignee", "")))
    return named


async def rescope(hub: "Hub", state: State, usernames: set[str]) -> None:
    """Rechecks the connections of the people named and of everyone seeing the board as
    themselves, after a change of case team or assignment: an audience that changed is closed
    (1008) so that the client reconnects with the view it now has."""

    def changes(watched: set[UUID]) -> list[AccountChanged]:
        for username in usernames - {""}:
            try:
                watched.add(state.accounts.account(username).id)
            except DomainError:
                continue  # no such account (any more): nobody to rescope
        return [as_changed(0, i, state) for i in watched if hub.watches(i)]

    hub.accounts_changed(await sync_to_thread(changes, hub.personal_holders()))


def refusal(
    account: Account | None, holder: Holder, audience: Audience, now: Audience | None
) -> str:
    """Why a connection may no longer stay open, or "" if it may: `now` is the audience the
    account's connections would get if they opened now."""
    if account is None or not credential_holds(account, holder.credential):
        return "signed out: the account, its token or its session is no longer valid"
    if now is None:
        return "your role may not view_board"
    if now.key != audience.key:
        return RESCOPED
    return ""


def account_changes(state: State, hub: "Hub") -> Callable[[int, int], list[AccountChanged]]:
    """Reads account changes after a position for a LogFollower, loading (in its thread) each
    changed account that has a connection here, once per page, as it is stored now."""

    def read(position: int, limit: int) -> list[AccountChanged]:
        changes = state.accounts.changed_after(position, limit)
        watched = {c.account_id for c in changes if hub.watches(c.account_id)}
        loaded = {account_id: as_changed(0, account_id, state) for account_id in watched}
        return [
            AccountChanged(c.position, c.account_id, None)
            if c.account_id not in loaded
            else replace(loaded[c.account_id], position=c.position)
            for c in changes
        ]

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
    credential = credential_of(socket)
    if account is None or credential is None:
        await socket.close(code=POLICY_VIOLATION, reason="sign in first")
        return
    state: State = socket.app.state
    audience = await sync_to_thread(audience_for, account, state)
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
        hub.accounts_changed([await sync_to_thread(as_changed, 0, account.id, state)])
        last = after
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
