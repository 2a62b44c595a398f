"""Sharing an incident with a partner organisation through the API and the pages, on real SQLite
and PostgreSQL: before the share and after it ends the partner finds no such incident; while it
lasts they see, do and receive only what is theirs, and nothing the district wrote for itself."""

from collections.abc import Iterator
from typing import Any

import pytest

from tests.builders import SignedIn, signed_in_app

EASTSIDE = "eastside-counseling"
SECRET = "S-1042's mother asked that the cause not be shared"
PARTNER_TASK = "Run after-school grief groups"
DISTRICT_TASK = "Call the family of S-1042"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


class People:
    def __init__(self, world: SignedIn) -> None:
        self.world = world
        self.client = world.client

    def post(self, who: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers=self.world.headers[who])

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.world.headers[who])


def open_incident(people: People) -> str:
    opened = people.post(
        "m.alvarez",
        "/api/v1/incidents",
        {"title": "Death of a student", "kind": "death", "severity": 2,
         "schools": ["Jefferson Middle School"], "summary": SECRET},
    )  # fmt: skip
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    for title in (DISTRICT_TASK, PARTNER_TASK):
        added = people.post(
            "m.alvarez",
            f"/api/v1/incidents/{ref}/tasks",
            {"title": title, "owner_role": "counselor"},
        )
        assert added.status_code == 201, added.text
    people.post("m.alvarez", f"/api/v1/incidents/{ref}/notes", {"text": SECRET})
    return ref


def test_a_partner_sees_only_their_part_of_an_incident_while_it_is_shared(world):
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"

    assert people.get("j.brooks", base).status_code == 404
    assert people.get("j.brooks", f"/incidents/{ref}").status_code == 404

    shared = people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE})
    assert shared.status_code == 201, shared.text
    assigned = people.post(
        "m.alvarez", base + "/tasks/T2/assignment", {"kind": "partner", "name": EASTSIDE}
    )
    assert assigned.status_code == 200, assigned.text
    note = people.post(
        "m.alvarez", base + "/notes", {"text": "Groups on Tuesdays", "share_with": [EASTSIDE]}
    )
    assert note.status_code == 201, note.text

    seen = people.get("j.brooks", base)
    assert seen.status_code == 200, seen.text
    view = seen.json()
    assert [t["title"] for t in view["task_list"]] == [PARTNER_TASK]
    assert [n["text"] for n in view["notes"]] == ["Groups on Tuesdays"]
    assert view["summary"] == "" and SECRET not in seen.text and DISTRICT_TASK not in seen.text
    listed = people.get("j.brooks", "/api/v1/incidents").json()["incidents"]
    assert [i["reference"] for i in listed] == [ref]

    page = people.get("j.brooks", f"/incidents/{ref}")
    assert page.status_code == 200
    assert PARTNER_TASK in page.text and "Groups on Tuesdays" in page.text
    assert SECRET not in page.text and DISTRICT_TASK not in page.text
    assert "Shared with Eastside Counseling Center" in page.text
    assert ref in people.get("j.brooks", "/").text

    events = people.get("j.brooks", base + "/events").json()["events"]
    assert [e["type"] for e in events] == ["incident_shared", "task_assigned", "note_shared"]
    feed = people.get("j.brooks", "/api/v1/events?limit=1000")
    assert [e["type"] for e in feed.json()["events"]] == [e["type"] for e in events]
    assert SECRET not in feed.text and DISTRICT_TASK not in feed.text

    people.post("m.alvarez", base + f"/shares/{EASTSIDE}/end", {"reason": "Groups ended"})
    assert people.get("j.brooks", base).status_code == 404
    assert people.get("j.brooks", f"/incidents/{ref}").status_code == 404
    assert people.get("j.brooks", "/api/v1/incidents").json()["incidents"] == []
    after = people.get("j.brooks", "/api/v1/events?limit=1000").json()["events"]
    assert [e["type"] for e in after][-1] == "incident_share_ended"


def test_a_partner_works_on_their_own_tasks_and_writes_notes_only_to_their_organisation(world):
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"
    people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE})
    people.post("m.alvarez", base + "/tasks/T2/assignment", {"kind": "partner", "name": EASTSIDE})

    started = people.post("j.brooks", base + "/tasks/T2/status", {"status": "in_progress"})
    assert started.status_code == 200, started.text
    other = people.post("j.brooks", base + "/tasks/T1/status", {"status": "in_progress"})
    assert other.status_code == 404 and "has no task 'T1'" in other.json()["error"]

    written = people.post("j.brooks", base + "/notes", {"text": "Room booked", "task_id": "T2"})
    assert written.status_code == 201, written.text
    assert (
        people.post("j.brooks", base + "/notes", {"text": "x", "task_id": "T1"}).status_code == 404
    )
    wider = people.post("j.brooks", base + "/notes", {"text": "x", "share_with": ["food-bank"]})
    assert wider.status_code == 403

    lead_view = people.get("m.alvarez", base).json()
    mine = [n for n in lead_view["notes"] if n["text"] == "Room booked"]
    assert mine and mine[0]["shared_with"] == [EASTSIDE]
    # The private note written before the share stays the district's.
    assert people.post("j.brooks", base + "/notes/N1/corrections",
                       {"text": "x", "reason": "y"}).status_code == 404  # fmt: skip


def test_sharing_names_a_known_partner_and_only_a_crisis_lead_may_share(world):
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"

    unknown = people.post("m.alvarez", base + "/shares", {"organisation": "nobody"})
    assert unknown.status_code == 404
    assert "no partner organisation 'nobody'" in unknown.json()["error"]
    assert EASTSIDE in unknown.json()["error"]  # it says which partners there are
    district = people.post("m.alvarez", base + "/shares", {"organisation": "riverside-usd"})
    assert district.status_code == 422 and "not a partner" in district.json()["error"]
    # d.chen is of the incident's school: he sees it, and may not share it.
    refused = people.post("d.chen", base + "/shares", {"organisation": EASTSIDE})
    assert refused.status_code == 403
    by_name = people.post(
        "m.alvarez",
        base + "/shares",
        {"organisation": "Eastside Counseling Center (mental-health agency)"},
    )
    assert by_name.status_code == 201, by_name.text
    again = people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE})
    assert again.status_code == 422 and "already shared" in again.json()["error"]
    note_unshared = people.post("m.alvarez", base + "/notes/N1/shares", {"organisation": EASTSIDE})
    assert note_unshared.status_code == 201
    assert SECRET in people.get("j.brooks", base).text  # the lead chose to share that note


def test_the_lead_shares_and_ends_shares_from_the_incident_page(world):
    people = People(world)
    ref = open_incident(people)
    lead_page = people.get("m.alvarez", f"/incidents/{ref}").text
    assert 'id="share-form"' in lead_page and EASTSIDE in lead_page
    responder_page = people.get("d.chen", f"/incidents/{ref}").text
    assert 'id="share-form"' not in responder_page
    people.post("m.alvarez", f"/api/v1/incidents/{ref}/shares", {"organisation": EASTSIDE})
    lead_page = people.get("m.alvarez", f"/incidents/{ref}").text
    assert f'id="end-share-{EASTSIDE}"' in lead_page and 'id="note-share-with"' in lead_page
