"""A live feed connection that stops reading is cut off, with its unsent bytes bounded, while the
others carry on: a real websockets connection over a real socket that nobody reads."""

import asyncio
import socket
from dataclasses import replace

from websockets.protocol import State

from tests.unit.test_live_hub import Link, feed_event, positions
from web.live.audiences import EVERYONE
from web.live.feed_server import FeedConnection
from web.live.hub import MAX_UNSENT_BYTES, Hub


class Server:
    """What a FeedConnection asks of its server: the hub, and a task per connection."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        self.handler_tasks: set[asyncio.Task[None]] = set()

    async def handler(self, connection: FeedConnection) -> None:
        return None


def test_a_client_that_stops_reading_is_cut_off_and_its_backlog_stays_bounded():
    async def scenario() -> None:
        hub = Hub()
        ours, theirs = socket.socketpair()  # `theirs` is never read: a phone in a tunnel
        connection = FeedConnection(Server(hub))  # type: ignore[arg-type]
        loop = asyncio.get_running_loop()
        transport, _ = await loop.create_connection(lambda: connection, sock=ours)
        connection.protocol.state = State.OPEN  # as after the opening handshake
        stuck = hub.subscribe(EVERYONE, connection)
        quick = Link()
        assert hub.go_live(stuck) and hub.go_live(hub.subscribe(EVERYONE, quick))

        big = "x" * 10_000
        for position in range(1, 801):  # about 8 MB: far more than any socket buffer
            hub.publish([replace(feed_event(position), data={"text": big})])
        assert stuck.overflowed and stuck.ready.is_set() and not stuck.live
        assert MAX_UNSENT_BYTES < transport.get_write_buffer_size() < MAX_UNSENT_BYTES + 20_000
        assert 0 < stuck.last < 800  # where it resumes: the last frame its socket holds
        assert positions(quick) == list(range(1, 801))
        transport.abort()
        theirs.close()

    asyncio.run(scenario())
