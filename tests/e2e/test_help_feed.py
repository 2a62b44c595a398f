"""Help requests on the live feed, from a real server over real websockets: a report sent from
the public help page reaches the help desk (who may not see the board, and hears nothing of
incidents) and the crisis lead at once, by its reference alone; a responder and a partner hear
nothing of it; no frame holds what the reporter wrote or how to reach them."""

import asyncio
import json

import httpx
import websockets

from tests.e2e.test_live_feed import drain, receive_until

WORDS = "Someone said they would bring a knife to the game on Friday."
CONTACT = "text me at 555-0177"
PASSPHRASE = "orange kite over water"


def test_a_new_report_reaches_the_desk_and_the_lead_and_no_one_else(server):
    lead = server.auth("m.alvarez")
    users = ["t.santos", "m.alvarez", "k.okafor", "j.brooks"]

    def act() -> str:
        sent = httpx.post(
            f"{server.url}/help/report",
            data={
                "lang": "en", "category": "threat", "school": "roosevelt-high-school",
                "when": "Friday", "words": WORDS, "contact": CONTACT, "life_safety": "yes",
                "passphrase": PASSPHRASE, "passphrase_again": PASSPHRASE, "website": "",
            },
            timeout=10,
        )  # fmt: skip
        assert sent.status_code == 200, sent.text
        opened = httpx.post(
            f"{server.url}/api/v1/incidents",
            json={"title": "Fire alarm", "kind": "other", "severity": 3,
                  "schools": ["Roosevelt High School"]},
            headers=lead,
            timeout=10,
        )  # fmt: skip
        assert opened.status_code == 201, opened.text
        return opened.json()["reference"]

    async def scenario() -> None:
        start = httpx.get(f"{server.url}/api/v1/incidents", headers=lead).json()["position"]
        sockets = [
            await websockets.connect(
                f"{server.ws_url}/ws/board?after={start}", additional_headers=server.auth(u)
            )
            for u in users
        ]
        try:
            for socket in sockets:
                await receive_until(socket, lambda m: m["type"] == "caught_up")
            ref = await asyncio.to_thread(act)
            heard = {
                "t.santos": await receive_until(sockets[0], lambda m: m["type"] == "help_received"),
                "m.alvarez": await receive_until(
                    sockets[1], lambda m: m.get("incident", {}).get("reference") == ref
                ),
            }
            heard["t.santos"] += await drain(sockets[0])
            for user, socket in zip(users[2:], sockets[2:], strict=True):
                heard[user] = await drain(socket)
        finally:
            for socket in sockets:
                await socket.close()

        desk = [m for m in heard["t.santos"] if "help_request" in m]
        assert [m["type"] for m in desk] == ["help_received"]
        assert desk[0]["help_request"]["life_safety"] is True
        reference = desk[0]["help_request"]["reference"]
        assert reference.startswith("H-")
        # The help desk hears nothing of incidents: it may not see the board.
        assert [m for m in heard["t.santos"] if "incident" in m] == []
        assert [m["help_request"]["reference"] for m in heard["m.alvarez"]
                if "help_request" in m] == [reference]  # fmt: skip
        for user in ("k.okafor", "j.brooks"):
            assert [m for m in heard[user] if "help_request" in m] == []
        for frames in heard.values():
            text = json.dumps(frames)
            assert WORDS not in text and "555-0177" not in text and PASSPHRASE not in text

    asyncio.run(scenario())
