"""Real websocket clients against real servers: what is revoked stops the feed at once."""

import asyncio
import time

import httpx
import websockets

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from tests.builders import FAST_HASHER
from tests.e2e.test_live_feed import receive_until

ADMIN = "admin"


async def closed_with(socket: websockets.ClientConnection, timeout: float = 5.0) -> int:
    """Reads (and drops) messages until the server closes; the close code."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                await socket.recv()
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None, "the connection dropped without a close frame"
        return closed.rcvd.code
    raise AssertionError("unreachable")


def new_token(server, username: str) -> tuple[str, dict[str, str]]:
    """A fresh token the account issues itself (the store is shared with the server)."""
    server.auth(ADMIN)  # seeds the demo accounts if the store has none
    steady = open_steady(Settings(database_url=server.database_url))
    try:
        accounts = Accounts(steady, hasher=FAST_HASHER)
        owner = accounts.account(username).acting_as()
        token = accounts.issue_token(username, "live feed test", actor=owner)
    finally:
        steady.close()
    return token.split("_")[1], {"Authorization": f"Bearer {token}"}


def revoke(server, username: str, token_id: str) -> None:
    response = httpx.delete(
        f"{server.url}/api/v1/accounts/{username}/tokens/{token_id}",
        headers=server.auth(ADMIN),
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_revoking_a_token_closes_its_socket_at_once(server):
    token_id, headers = new_token(server, "r.patel")
    _, other = new_token(server, "r.patel")

    async def scenario() -> None:
        async with (
            websockets.connect(f"{server.ws_url}/ws/board", additional_headers=headers) as socket,
            websockets.connect(f"{server.ws_url}/ws/board", additional_headers=other) as kept,
        ):
            await receive_until(socket, lambda m: m["type"] == "caught_up")
            await receive_until(kept, lambda m: m["type"] == "caught_up")
            started = time.monotonic()
            await asyncio.to_thread(revoke, server, "r.patel", token_id)
            assert await closed_with(socket) == 1008
            assert time.monotonic() - started < 2.5
            # The same account's other token is still good: its socket stays open.
            async with asyncio.timeout(2):
                await (await kept.ping())
            assert kept.close_code is None

    asyncio.run(scenario())


def test_revoking_on_one_instance_closes_the_socket_on_another(postgres_url, start_server):
    one = start_server(postgres_url)
    two = start_server(postgres_url)
    token_id, headers = new_token(one, "r.patel")

    async def scenario() -> None:
        async with websockets.connect(
            f"{two.ws_url}/ws/board", additional_headers=headers
        ) as socket:
            await receive_until(socket, lambda m: m["type"] == "caught_up")
            await asyncio.to_thread(revoke, one, "r.patel", token_id)
            assert await closed_with(socket, timeout=3.0) == 1008

    asyncio.run(scenario())


def test_a_client_leaving_during_catch_up_leaves_no_error_in_the_log(server):
    async def scenario() -> None:
        for leave in range(6):
            # An unbounded queue keeps the client reading while it closes, as a browser does;
            # with the default one full, the closing handshake would wait out its timeout.
            socket = await websockets.connect(
                f"{server.ws_url}/ws/board?after=0",
                additional_headers=server.auth(),
                max_queue=None,
            )
            if leave % 3 == 1:
                await socket.recv()
            if leave % 3 == 2:
                await asyncio.sleep(0.05)
            if leave < 3:
                socket.transport.abort()  # gone without a word, mid catch-up
            else:
                await socket.close()  # a polite goodbye, mid catch-up
        # A client that stays shows the server is still serving; give the others time to fail.
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after=0", additional_headers=server.auth()
        ) as socket:
            await receive_until(socket, lambda m: m["type"] == "caught_up")
        await asyncio.sleep(1.0)

    asyncio.run(scenario())
    log = server.log_path.read_text()
    assert "Exception in ASGI application" not in log, log[-3000:]
    assert "Traceback" not in log, log[-3000:]
