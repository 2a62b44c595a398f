"""Follow-ups and affected people on the live feed, from a real server over real websockets:
the counselor who owns a person's check-ins hears of them, a counselor of other schools hears
nothing, the partner a person is referred to hears of that referral only, nobody is sent a name
or what a check-in's note says, and reconnecting from a position sends the same frames again,
no fewer, no more."""

import asyncio
import json

import httpx
import websockets

from tests.e2e.test_live_feed import drain, receive_until

ROOSEVELT = "Roosevelt High School"
NAME = "Maya Quintero-Lindqvist"
STUDENT_ID = "S-8642"
NOTE = "talked about her sister's funeral at length"


def about_people(message: dict) -> bool:
    return "follow_ups" in message or "person" in message


def test_follow_up_and_person_news_reaches_only_those_allowed(server):
    news_reaches_only_those_allowed(server)


def test_follow_up_and_person_news_on_postgres(postgres_url, start_server):
    # PostgreSQL wakes the follower by NOTIFY, and reads the log with its own queries.
    news_reaches_only_those_allowed(start_server(postgres_url, demo=True))


def news_reaches_only_those_allowed(server) -> None:
    lead = server.auth("m.alvarez")

    def call(path: str, body: dict, who: dict = lead) -> dict:
        response = httpx.post(f"{server.url}{path}", json=body, headers=who, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def act() -> tuple[str, str, str]:
        ref = call(
            "/api/v1/incidents",
            {"title": "Death of a student", "kind": "death", "severity": 2,
             "schools": [ROOSEVELT]},
        )["reference"]  # fmt: skip
        person = call(
            f"/api/v1/incidents/{ref}/people",
            {"kind": "student", "school": ROOSEVELT, "grade": "11",
             "how_affected": "was in the classroom next door",
             "identity": {"name": NAME, "person_id": STUDENT_ID}},
        )["reference"]  # fmt: skip
        other = call(
            f"/api/v1/incidents/{ref}/people",
            {"kind": "student", "school": ROOSEVELT, "grade": "10",
             "how_affected": "a friend", "identity": {"name": "Someone Else"}},
        )["reference"]  # fmt: skip
        call(
            f"/api/v1/people/{person}/triage",
            {"incident": ref, "tier": 2, "reason": "lost a close friend",
             "factors": ["emotional_proximity"], "counselor": "k.okafor"},
        )  # fmt: skip
        call(
            f"/api/v1/people/{person}/referrals",
            {"incident": ref, "to_kind": "partner", "to": "eastside-counseling",
             "reason": "panic attacks since the event", "asked_to": "assess this week"},
        )  # fmt: skip
        mine = httpx.get(
            f"{server.url}/api/v1/my-follow-ups", headers=server.auth("k.okafor"), timeout=10
        ).json()
        check_in = next(
            c["check_in_id"]
            for g in mine["groups"]
            for c in g["check_ins"]
            if c["person_ref"] == person
        )
        call(
            f"/api/v1/follow-ups/{person}/{ref}/check-ins/{check_in}",
            {"outcome": "seen_no_concern", "note": NOTE},
            server.auth("k.okafor"),
        )
        return ref, person, other

    users = ["m.alvarez", "k.okafor", "p.rivera", "j.brooks"]

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
            ref, person, other = await asyncio.to_thread(act)
            recorded = await receive_until(sockets[0], lambda m: m["type"] == "check_in_recorded")
            # The hub wrote every audience's frames in the same turn; give them a moment.
            live = {"m.alvarez": recorded}
            for user, socket in zip(users[1:], sockets[1:], strict=True):
                live[user] = await drain(socket)
        finally:
            for socket in sockets:
                await socket.close()

        def kinds(user: str) -> list[tuple[str, str]]:
            return [
                (m["type"], (m.get("follow_ups") or m["person"]).get("person")
                 or m["person"]["reference"])
                for m in live[user]
                if about_people(m)
            ]  # fmt: skip

        # The lead hears everything, the owner of the follow-ups too (they see the incident).
        for user in ("m.alvarez", "k.okafor"):
            assert ("follow_ups_planned", person) in kinds(user)
            assert ("check_in_recorded", person) in kinds(user)
            assert ("person_triaged", person) in kinds(user) and ("person_affected", other) in [
                k for k in kinds(user)
            ]
        done = next(m for m in live["k.okafor"] if m["type"] == "check_in_recorded")
        assert done["follow_ups"] == {"person": person, "incident": ref, "owner": "k.okafor"}
        assert done["data"]["outcome"] == "seen_no_concern"
        # A counselor of other schools hears nothing of these people.
        assert kinds("p.rivera") == []
        # The partner hears of its own referral, with the reason and the ask, and nothing else.
        partner = [m for m in live["j.brooks"] if about_people(m)]
        assert [(m["type"], m["person"]["reference"]) for m in partner] == [
            ("person_referred", person)
        ]
        assert partner[0]["data"]["reason"] == "panic attacks since the event"
        assert partner[0]["person"]["incidents"] == []
        # No name, no student id, no check-in note, in any frame to anyone.
        for frames in live.values():
            text = json.dumps(frames)
            assert NAME not in text and STUDENT_ID not in text and NOTE not in text
            assert "Someone Else" not in text
        # Reconnecting from the same position sends the same frames: no gap, no duplicate.
        for user in users:
            again = await catch_up(user, start)
            sent = [m for m in live[user] if m["position"] <= again[-1]["position"]]
            assert [m["position"] for m in again[:-1]] == [m["position"] for m in sent]
            assert again[:-1] == sent
            positions = [m["position"] for m in again[:-1]]
            assert positions == sorted(set(positions))

    async def catch_up(user: str, after: int) -> list[dict]:
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after={after}", additional_headers=server.auth(user)
        ) as socket:
            return await receive_until(socket, lambda m: m["type"] == "caught_up")

    asyncio.run(scenario())
