"""The live feed on the websockets library's own server, on the web app's port and URL.

uvicorn serves the HTTP app; its `ws` setting takes the protocol that each websocket upgrade it
accepts is handed to, and `feed_upgrades(app)` makes that a connection of this server (a
websockets ServerConnection) rather than an ASGI websocket. So the feed needs nothing of
uvicorn's internals, and the hub writes each pre-built frame straight to the connection's
socket. The session itself (sign-in, audience, catch-up, revocation) is web/live/feed.py's
`run_feed`, given an ASGI-shaped view of the upgrade request so that the same sign-in code
(session cookie or bearer token, Origin check) judges it."""

import asyncio
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from eventsourcing.persistence import InterfaceError, OperationalError
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.middleware.session.client_side import ClientSideSessionBackend
from litestar.types import Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware
from websockets.asyncio.server import Server, ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.frames import DATA_OPCODES, Frame
from websockets.http11 import Request, Response
from websockets.protocol import State
from websockets.server import ServerProtocol

from service.config import Settings
from service.incidents.application import Steady
from web.access.sessions import session_config
from web.errors import RETRY_AFTER, UNREACHABLE_READ
from web.live.feed import position_after, run_feed
from web.live.hub import MAX_UNSENT_BYTES, Hub

log = logging.getLogger(__name__)
# The sockets' own chatter (a line per connection opened or closed) only from warnings up.
socket_log = logging.getLogger(f"{__name__}.sockets")
socket_log.setLevel(logging.WARNING)
PATH = "/ws/board"
OPEN_SECONDS = 10  # to finish the opening handshake
CLOSE_SECONDS = 5  # for the client to answer a close before the socket is dropped
MAX_FROM_CLIENT = 4096  # the feed reads nothing from clients: a large message is refused


class FeedConnection(ServerConnection):
    """One client of the feed: a websockets connection that the hub writes frames to
    (Link), and that a session drives (FeedSocket). Nothing it receives is kept."""

    server: "FeedServer"

    def __init__(self, server: "FeedServer") -> None:
        protocol = ServerProtocol(max_size=MAX_FROM_CLIENT, logger=socket_log)  # no compression
        super().__init__(
            protocol,
            server,
            ping_interval=None,  # the feed's heartbeats keep the line busy instead
            close_timeout=CLOSE_SECONDS,
            max_queue=1,
            write_limit=MAX_UNSENT_BYTES,
        )
        self.link = self
        self.gone = False
        self._woken: list[asyncio.Event] = []

    def write(self, frame: bytes) -> None:
        if self.protocol.state is State.OPEN:
            self.transport.write(frame)

    def watch(self, wake: asyncio.Event) -> None:
        self._woken.append(wake)

    async def send_text(self, text: str) -> None:
        await self.send(text)

    def process_event(self, event: Any) -> None:
        if isinstance(event, Frame) and event.opcode in DATA_OPCODES:
            return  # nothing a client sends means anything to the feed: never queue it
        super().process_event(event)

    def pause_writing(self) -> None:
        super().pause_writing()
        # Awaited sends (catching up) simply wait; a live connection is too far behind.
        self.server.hub.too_slow(self)

    def connection_lost(self, exc: Exception | None) -> None:
        super().connection_lost(exc)
        self.gone = True
        for wake in self._woken:
            wake.set()


class FeedServer(Server):
    """The websockets server of one app's feed: it listens on no socket of its own, and
    takes the connections uvicorn hands over (see feed_upgrades)."""

    def __init__(self, app: Litestar, settings: Settings) -> None:
        super().__init__(_no_listener, self._serve, socket_log)
        self.app = app
        self.hub: Hub = app.state.hub
        self._sessions = ClientSideSessionBackend(session_config(settings))
        self._proxies = settings.forwarded_allow_ips()
        self._serving = True

    def connection(self) -> FeedConnection:
        return FeedConnection(self)

    def is_serving(self) -> bool:
        return self._serving

    async def shut(self) -> None:
        """Closes every connection (1001, going away) and waits, briefly, for them to go."""
        self._serving = False
        for connection in list(self.all_connections):
            self.handler_tasks.add(asyncio.ensure_future(connection.close(1001, "restarting")))
        if self.handler_tasks:
            await asyncio.wait(self.handler_tasks, timeout=CLOSE_SECONDS + 1)

    async def _serve(self, connection: ServerConnection) -> None:
        assert isinstance(connection, FeedConnection)
        try:
            async with asyncio.timeout(OPEN_SECONDS):
                await connection.handshake(_admissible, server_header=None)
            if connection.protocol.state is not State.OPEN:
                connection.transport.abort()
                return
            self.all_connections.add(connection)
            try:
                after = parse_qs(urlsplit(connection.request.path).query).get("after", [""])[-1]
                # Not kept in this frame: the session lets go of the request once signed in.
                await run_feed(
                    connection,
                    await self._asgi_view(connection),
                    self.app.state,
                    position_after(after),
                )
            except ConnectionClosed:
                pass  # the client left: nothing more to send, nothing to report
            except Exception:
                log.exception("the live feed failed for one connection")
            finally:
                self.all_connections.discard(connection)
                await connection.close()
        except Exception:
            connection.transport.abort()  # a handshake timed out or failed: drop the socket
        finally:
            self.handler_tasks.discard(asyncio.current_task())  # type: ignore[arg-type]

    async def _asgi_view(self, connection: FeedConnection) -> ASGIConnection:
        """The upgrade request as Litestar's sign-in code reads it: headers, the client's
        address (from a trusted proxy's X-Forwarded-For, as for every other request) and
        the session its cookie holds."""
        request = connection.request
        assert request is not None
        url = urlsplit(request.path)
        scope: dict[str, Any] = {
            "type": "websocket",
            "scheme": "ws",
            "path": url.path,
            "query_string": url.query.encode(),
            "headers": [
                (name.lower().encode("latin-1"), value.encode("latin-1"))
                for name, value in request.headers.raw_items()
            ],
            "client": connection.remote_address[:2] if connection.remote_address else None,
            "app": self.app,
            "litestar_app": self.app,
            "state": {},
        }
        if self._proxies is not None:
            scope = await _through_proxy_headers(scope, self._proxies)
        view: ASGIConnection = ASGIConnection(scope)  # type: ignore[arg-type]
        scope["session"] = await self._sessions.load_from_connection(view)
        return view


def feed_upgrades(app: Litestar) -> Callable[..., asyncio.Protocol]:
    """What uvicorn's `ws` setting takes: the protocol for each upgrade it accepts, here a
    connection of the app's feed server (made at start-up, on the loop, as app.state.feed)."""

    def upgrade(**_uvicorn: Any) -> asyncio.Protocol:
        feed: FeedServer = app.state.feed
        return feed.connection()

    return upgrade


async def _admissible(connection: ServerConnection, request: Request) -> Response | None:
    """Refuses the handshake to anything but the feed (404), and with the store out of reach
    (503 with Retry-After, as every read then), so that the client tries again later."""
    if urlsplit(request.path).path != PATH:
        return connection.respond(404, f"Not found: the only websocket here is {PATH}\n")
    steady: Steady = connection.server.app.state.steady  # type: ignore[attr-defined]
    try:
        await asyncio.to_thread(steady.last_position)
    except (OperationalError, InterfaceError):
        refusal = connection.respond(
            503, f"{UNREACHABLE_READ} Try again in {RETRY_AFTER} seconds.\n"
        )
        refusal.headers["Retry-After"] = str(RETRY_AFTER)
        return refusal
    return None


async def _through_proxy_headers(scope: dict[str, Any], trusted: str) -> dict[str, Any]:
    """The scope as uvicorn's own ProxyHeadersMiddleware rewrites it for other requests."""
    seen: list[Scope] = []

    async def capture(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope)

    await ProxyHeadersMiddleware(capture, trusted_hosts=trusted)(scope, _nothing, _nothing)  # type: ignore[arg-type]
    return dict(seen[0])


async def _nothing(*_: Any) -> Any:
    return None


async def _no_listener() -> asyncio.Server:
    raise RuntimeError("the feed server takes connections from uvicorn; it has no listener")
