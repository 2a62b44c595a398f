"""Real websocket clients against real server processes."""

import asyncio
import json

import httpx
import websockets


def post(server, path: str, body: dict) -> dict:
    response = httpx.post(f"{server.url}{path}", json=body, headers=server.auth(), timeout=10)
    assert response.status_code in (200, 201), response.text
    return response.json()


async def receive_until(socket, predicate, timeout: float = 5.0) -> list[dict]:
    """Messages up to and including the first that satisfies predicate (heartbeats dropped)."""
    seen = []
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await socket.recv())
            if message["type"] == "heartbeat":
                continue
            seen.append(message)
            if predicate(message):
                return seen


async def drain(socket, quiet: float = 1.5) -> list[dict]:
    """Every message until none comes for `quiet` seconds (heartbeats dropped)."""
    seen: list[dict] = []
    while True:
        try:
            message = json.loads(await asyncio.wait_for(socket.recv(), quiet))
        except TimeoutError:
            return seen
        if message["type"] != "heartbeat":
            seen.append(message)


def test_clients_catch_up_then_receive_live_events(server):
    async def scenario() -> None:
        last = httpx.get(f"{server.url}/api/v1/incidents", headers=server.auth()).json()["position"]
        async with (
            websockets.connect(
                f"{server.ws_url}/ws/board?after=0", additional_headers=server.auth()
            ) as first,
            websockets.connect(
                f"{server.ws_url}/ws/board?after={last}", additional_headers=server.auth()
            ) as second,
        ):
            history = await receive_until(first, lambda m: m["type"] == "caught_up")
            assert len(history) - 1 == len({m["position"] for m in history[:-1]}) > 100
            # caught_up names the last event sent; the log's end may be a non-incident record.
            assert history[-1]["position"] == history[-2]["position"] <= last
            assert (await receive_until(second, lambda m: True))[0] == {
                "type": "caught_up",
                "position": last,
            }
            opened = await asyncio.to_thread(
                post,
                server,
                "/api/v1/incidents",
                {
                    "title": "Gas leak",
                    "kind": "evacuation",
                    "severity": 2,
                    "schools": ["Lincoln Elementary"],
                },
            )
            for socket in (first, second):
                [message] = await receive_until(socket, lambda m: True)
                assert message["position"] == opened["position"]
                assert message["type"] == "incident_opened"
                assert message["incident"]["reference"] == opened["reference"]
                assert message["data"]["title"] == "Gas leak"

    asyncio.run(scenario())


def test_a_client_that_reconnects_gets_every_missed_event_exactly_once(server):
    async def scenario() -> None:
        ref = httpx.get(f"{server.url}/api/v1/incidents", headers=server.auth()).json()[
            "incidents"
        ][0]["reference"]
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after=0", additional_headers=server.auth()
        ) as socket:
            history = await receive_until(socket, lambda m: m["type"] == "caught_up")
        last_seen = history[-1]["position"]
        missed = [
            (
                await asyncio.to_thread(
                    post, server, f"/api/v1/incidents/{ref}/notes", {"text": f"missed {n}"}
                )
            )["position"]
            for n in range(5)
        ]
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after={last_seen}", additional_headers=server.auth()
        ) as socket:
            resumed = await receive_until(socket, lambda m: m["type"] == "caught_up")
            live = await asyncio.to_thread(
                post, server, f"/api/v1/incidents/{ref}/notes", {"text": "live"}
            )
            [after] = await receive_until(socket, lambda m: True)
        assert [m["position"] for m in resumed[:-1]] == missed
        assert [m["data"]["text"] for m in resumed[:-1]] == [f"missed {n}" for n in range(5)]
        assert after["position"] == live["position"] > missed[-1]

    asyncio.run(scenario())


def test_two_server_processes_on_one_postgres_deliver_each_others_changes(
    postgres_url, start_server
):
    one = start_server(postgres_url)
    two = start_server(postgres_url)

    async def scenario() -> None:
        async with (
            websockets.connect(
                f"{one.ws_url}/ws/board?after=0", additional_headers=one.auth()
            ) as on_one,
            websockets.connect(
                f"{two.ws_url}/ws/board?after=0", additional_headers=two.auth()
            ) as on_two,
        ):
            await receive_until(on_one, lambda m: m["type"] == "caught_up")
            await receive_until(on_two, lambda m: m["type"] == "caught_up")
            body = {
                "title": "Lockdown",
                "kind": "lockdown",
                "severity": 1,
                "schools": ["Roosevelt High School"],
            }
            via_one = await asyncio.to_thread(post, one, "/api/v1/incidents", body)
            via_two = await asyncio.to_thread(
                post, two, f"/api/v1/incidents/{via_one['reference']}/notes", {"text": "from two"}
            )
            for socket in (on_one, on_two):
                messages = await receive_until(
                    socket, lambda m: m["position"] == via_two["position"], timeout=1.5
                )
                assert [m["position"] for m in messages] == [
                    via_one["position"],
                    via_two["position"],
                ]

    asyncio.run(scenario())


def test_bad_after_position_is_refused_with_a_clear_close(server):
    async def scenario(after: str) -> None:
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after={after}", additional_headers=server.auth()
        ) as socket:
            try:
                await socket.recv()
            except websockets.ConnectionClosed as closed:
                assert closed.rcvd.code == 1008
                assert "after must be a position from 0" in closed.rcvd.reason
            else:
                raise AssertionError(f"the server kept a connection with after={after}")

    for after in ("-5", str(2**64)):  # negative, and beyond what a store can hold
        asyncio.run(scenario(after))
