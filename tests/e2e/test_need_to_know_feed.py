"""The live feed keeps need-to-know, from a real server over real websockets: a responder of
another school receives nothing of an incident, a confidential case reaches its case team and
no one else of the district but crisis leads, live and when catching up."""

import asyncio
import json

import httpx
import websockets

from tests.e2e.test_live_feed import receive_until

ROOSEVELT = "Roosevelt High School"
JEFFERSON = "Jefferson Middle School"
CASE_NOTE = "S-3307 told the counselor about a plan; parents on their way"
LOCKDOWN = "Lockdown: person with a weapon near the east lot"


def references(messages: list[dict]) -> set[str]:
    return {m["incident"]["reference"] for m in messages if "incident" in m}


def test_only_those_who_need_to_know_receive_an_incident_live_and_catching_up(server):
    lead = server.auth("m.alvarez")
    people = {who: server.auth(who) for who in ("d.chen", "k.okafor", "r.patel")}

    def post(path: str, body: dict) -> dict:
        response = httpx.post(f"{server.url}{path}", json=body, headers=lead, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def open_incident(title: str, kind: str, schools: list[str]) -> str:
        body = {"title": title, "kind": kind, "severity": 2, "schools": schools}
        return post("/api/v1/incidents", body)["reference"]

    # A confidential case at Roosevelt; d.chen (of Jefferson) is on its case team.
    case = open_incident("Self-harm risk disclosed to a teacher", "self-harm-risk", [ROOSEVELT])
    post(f"/api/v1/incidents/{case}/case-team", {"username": "d.chen"})

    def act() -> tuple[str, str]:
        lockdown = open_incident(LOCKDOWN, "lockdown", [ROOSEVELT])
        post(f"/api/v1/incidents/{lockdown}/notes", {"text": "Police on site"})
        post(f"/api/v1/incidents/{case}/notes", {"text": CASE_NOTE})
        # Seen by all three: the end of what each of them is sent.
        marker = open_incident("Storm warning", "severe-weather", [ROOSEVELT, JEFFERSON])
        return lockdown, marker

    async def scenario() -> None:
        sockets = {
            who: await websockets.connect(
                f"{server.ws_url}/ws/board?after=0", additional_headers=headers
            )
            for who, headers in people.items()
        }
        try:
            history = {
                who: await receive_until(socket, lambda m: m["type"] == "caught_up")
                for who, socket in sockets.items()
            }
            assert case in references(history["d.chen"])
            assert {"incident_opened", "case_team_member_added"} <= {
                m["type"]
                for m in history["d.chen"]
                if m.get("incident", {}).get("reference") == case
            }
            assert case not in references(history["k.okafor"])
            assert case not in references(history["r.patel"])

            lockdown, marker = await asyncio.to_thread(act)

            def last(m: dict) -> bool:
                return m.get("incident", {}).get("reference") == marker

            live = {who: await receive_until(s, last) for who, s in sockets.items()}
            chen, okafor, patel = live["d.chen"], live["k.okafor"], live["r.patel"]
            assert lockdown not in references(chen)  # another school's: nothing of it
            assert LOCKDOWN not in json.dumps(chen)
            assert [m["data"]["text"] for m in chen if m["type"] == "note_added"] == [CASE_NOTE]
            for other in (okafor, patel):  # her school's counselor and a district leader
                assert case not in references(other) and CASE_NOTE not in json.dumps(other)
                assert lockdown in references(other)
        finally:
            for socket in sockets.values():
                await socket.close()

        # Taken off the case team, he gets nothing of it when catching up from the start.
        post(f"/api/v1/incidents/{case}/case-team/d.chen/remove", {"reason": "handed on"})
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after=0", additional_headers=people["d.chen"]
        ) as again:
            history = await receive_until(again, lambda m: m["type"] == "caught_up")
            assert case not in references(history) and CASE_NOTE not in json.dumps(history)

    asyncio.run(scenario())


def test_joining_or_leaving_a_case_team_while_connected_rescopes_the_socket(server):
    """Added to a case team while connected, a responder's socket is closed (1008) so that it
    reconnects with the case in view; taken off again, the same, and the case is gone."""
    lead = server.auth("m.alvarez")

    def post(path: str, body: dict) -> dict:
        response = httpx.post(f"{server.url}{path}", json=body, headers=lead, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    case = post(
        "/api/v1/incidents",
        {"title": "Bullying report", "kind": "bullying", "severity": 3, "schools": [ROOSEVELT]},
    )["reference"]

    async def connected(after: int = 0):
        socket = await websockets.connect(
            f"{server.ws_url}/ws/board?after={after}", additional_headers=server.auth("d.chen")
        )
        history = await receive_until(socket, lambda m: m["type"] == "caught_up")
        return socket, history

    async def closed(socket) -> websockets.ConnectionClosed:
        async with asyncio.timeout(5):
            while True:
                try:
                    await socket.recv()
                except websockets.ConnectionClosed as error:
                    return error

    async def scenario() -> None:
        socket, history = await connected()
        assert case not in references(history)
        await asyncio.to_thread(post, f"/api/v1/incidents/{case}/case-team", {"username": "d.chen"})
        error = await closed(socket)
        assert error.rcvd is not None and error.rcvd.code == 1008
        assert "what you may see has changed" in error.rcvd.reason

        socket, _ = await connected()
        await asyncio.to_thread(post, f"/api/v1/incidents/{case}/notes", {"text": CASE_NOTE})
        live = await receive_until(socket, lambda m: m["type"] == "note_added")
        assert live[-1]["data"]["text"] == CASE_NOTE  # in view without reloading anything

        await asyncio.to_thread(
            post, f"/api/v1/incidents/{case}/case-team/d.chen/remove", {"reason": "handed on"}
        )
        error = await closed(socket)
        assert error.rcvd is not None and error.rcvd.code == 1008
        socket, history = await connected()
        assert case not in references(history)
        await socket.close()

    asyncio.run(scenario())
