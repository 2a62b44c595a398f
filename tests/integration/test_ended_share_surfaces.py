"""Once a share ends, nothing it showed is served to the partner on any surface: the feed's
catch-up, /api/v1/events, the incident's events (also after a new share) and its pages. Only the
end of the share itself stays in the feed, so a client that was away learns of it."""

import json
from collections.abc import Iterator

import pytest

from tests.builders import SignedIn, signed_in_app
from tests.integration.test_sharing import EASTSIDE, People, open_incident

NOTE = "Groups on Tuesdays in room 12, ask for Dana"
INSTRUCTIONS = "Meet the class of S-1042 after lunch"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def caught_up(world: SignedIn, who: str) -> list[dict]:
    with world.client.websocket_connect("/ws/board?after=0", headers=world.headers[who]) as s:
        messages = []
        while (message := s.receive_json())["type"] != "caught_up":
            messages.append(message)
    return messages


def test_nothing_an_ended_share_showed_is_served_again(world):
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"
    assert people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE}).status_code == 201
    added = people.post(
        "m.alvarez",
        base + "/tasks",
        {"title": "Grief group", "owner_role": "counselor", "instructions": INSTRUCTIONS},
    )
    task = added.json()["task_id"]
    people.post(
        "m.alvarez", f"{base}/tasks/{task}/assignment", {"kind": "partner", "name": EASTSIDE}
    )
    people.post("m.alvarez", base + "/notes", {"text": NOTE, "share_with": [EASTSIDE]})
    while_shared = json.dumps(caught_up(world, "j.brooks"))
    assert NOTE in while_shared and INSTRUCTIONS in while_shared  # served while it lasted

    ended = people.post("m.alvarez", f"{base}/shares/{EASTSIDE}/end", {"reason": "handed back"})
    assert ended.status_code == 200, ended.text
    feed = caught_up(world, "j.brooks")
    mine = [m for m in feed if m["incident"]["reference"] == ref]
    assert [m["type"] for m in mine] == ["incident_share_ended"]
    events = people.get("j.brooks", "/api/v1/events?after=0&limit=1000")
    assert events.status_code == 200
    surfaces = [json.dumps(feed), events.text]
    assert people.get("j.brooks", base + "/events").status_code == 404
    assert people.get("j.brooks", f"/incidents/{ref}").status_code == 404

    # Shared again: the new share serves what it shows, never what the ended one did.
    assert people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE}).status_code == 201
    again = people.get("j.brooks", base + "/events")
    assert again.status_code == 200
    assert [e["type"] for e in again.json()["events"]] == [
        "incident_share_ended",
        "incident_shared",
    ]
    page = people.get("j.brooks", base)
    # The task is still assigned to them, so it is theirs again; notes are to be shared again.
    assert page.status_code == 200 and page.json()["notes"] == [] and NOTE not in page.text
    surfaces += [again.text, json.dumps(caught_up(world, "j.brooks"))]
    for text in surfaces:
        assert NOTE not in text and INSTRUCTIONS not in text
