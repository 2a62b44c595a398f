"""The live feed as a partner organisation receives it, from a real server over real websockets:
only the parts of incidents shared with it, only while shared; caught up later, the same except
what an ended share showed, which is withdrawn (only its end stays)."""

import asyncio
import json

import httpx
import websockets

from tests.e2e.test_live_feed import receive_until

EASTSIDE = "eastside-counseling"
SECRET = "S-2001 was seen with a weapon by her brother"


def test_a_partner_receives_only_what_is_shared_with_it_live_and_when_catching_up(server):
    lead, partner = server.auth("m.alvarez"), server.auth("j.brooks")
    demo = httpx.get(f"{server.url}/api/v1/incidents", headers=partner, timeout=10).json()
    # The demo's playbooks share each incident with a community mental-health role.
    shared = {i["reference"] for i in demo["incidents"]}
    shared_demo = min(shared)

    def post(path: str, body: dict) -> dict:
        response = httpx.post(f"{server.url}{path}", json=body, headers=lead, timeout=10)
        assert response.status_code in (200, 201), response.text
        return response.json()

    def act() -> str:
        ref = post(
            "/api/v1/incidents",
            {"title": "Threat", "kind": "lockdown", "severity": 2,
             "schools": ["Roosevelt High School"], "summary": SECRET},
        )["reference"]  # fmt: skip
        base = f"/api/v1/incidents/{ref}"
        post(base + "/notes", {"text": SECRET})
        post(base + "/shares", {"organisation": EASTSIDE})
        post(base + "/notes", {"text": f"Still private: {SECRET}"})
        post(base + "/tasks", {"title": "Counsel the class", "owner_role": "counselor"})
        post(base + "/tasks/T1/assignment", {"kind": "partner", "name": EASTSIDE})
        post(base + "/severity", {"severity": 1, "reason": SECRET})
        post(base + f"/shares/{EASTSIDE}/end", {"reason": "Handed to the school"})
        post(base + "/notes", {"text": f"After the share: {SECRET}"})
        post(f"/api/v1/incidents/{shared_demo}/notes", {"text": "Marker", "share_with": [EASTSIDE]})
        return ref

    async def scenario() -> None:
        async with (
            websockets.connect(
                f"{server.ws_url}/ws/board?after=0", additional_headers=partner
            ) as p,
            websockets.connect(f"{server.ws_url}/ws/board?after=0", additional_headers=lead) as d,
        ):
            before = await receive_until(p, lambda m: m["type"] == "caught_up")
            await receive_until(d, lambda m: m["type"] == "caught_up")
            assert {m["incident"]["reference"] for m in before[:-1] if "incident" in m} == shared
            ref = await asyncio.to_thread(act)

            def marker(m: dict) -> bool:
                return m["type"] == "note_shared" and m["incident"]["reference"] == shared_demo

            live = await receive_until(p, marker)
            kinds = [(m["incident"]["reference"], m["type"]) for m in live]
            # What the share showed is sent while it lasts; anything still unsent when it ends
            # (the follower may hand several events over at once) is withdrawn, never sent late.
            during = [(ref, "incident_shared"), (ref, "task_assigned"), (ref, "severity_changed")]
            assert kinds[-2:] == [(ref, "incident_share_ended"), (shared_demo, "note_shared")]
            assert [k for k in during if k in kinds[:-2]] == kinds[:-2]
            assert SECRET not in json.dumps(live) and SECRET not in json.dumps(before)
            by_type = {m["type"]: m for m in live}
            if "task_assigned" in by_type:
                assert by_type["task_assigned"]["data"]["task"]["title"] == "Counsel the class"
            if "severity_changed" in by_type:
                assert by_type["severity_changed"]["data"] == {"severity": 1}
            district = await receive_until(d, marker)
            assert [m["type"] for m in district].count("note_added") == 4  # all of them

        # A partner connecting now catches up to what was sent live, except what the ended
        # share showed: only its end stays.
        async with websockets.connect(
            f"{server.ws_url}/ws/board?after=0", additional_headers=partner
        ) as late:
            caught_up = await receive_until(late, lambda m: m["type"] == "caught_up")
            assert caught_up[:-1] == before[:-1] + live[-2:]

    asyncio.run(scenario())
