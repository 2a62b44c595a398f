"""Errors say nothing about what the caller may not see: a conflict on a partner's own task
names only changes the partner can see, and an idempotency key belongs to the account that sent
it, so another account's key is never named back (nor its answer replayed)."""

from collections.abc import Iterator

import pytest

from tests.builders import SignedIn, signed_in_app
from tests.integration.test_sharing import EASTSIDE, People, open_incident

PRIVATE = "Spoke with the family of S-1042 about the cause"


@pytest.fixture
def world(database_url: str) -> Iterator[SignedIn]:
    with signed_in_app(database_url) as signed:
        yield signed


def test_a_conflict_on_a_partners_task_names_nothing_they_may_not_see(world):
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"
    people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE})
    people.post("m.alvarez", base + "/tasks/T2/assignment", {"kind": "partner", "name": EASTSIDE})
    version = people.get("j.brooks", base).json()["version"]
    # A note on the partner's task, not shared with them.
    private = people.post("m.alvarez", base + "/notes", {"text": PRIVATE, "task_id": "T2"})
    assert private.status_code == 201, private.text
    changed = people.post(
        "j.brooks",
        base + "/tasks/T2/status",
        {"status": "in_progress", "based_on_version": version},
    )
    assert changed.status_code == 200, changed.text  # nothing they can see changed
    assert "m.alvarez" not in changed.text and PRIVATE not in changed.text

    version = people.get("j.brooks", base).json()["version"]
    people.post("m.alvarez", base + "/notes", {"text": PRIVATE, "task_id": "T2"})
    people.post("m.alvarez", base + "/tasks/T2/status", {"status": "blocked", "reason": "wait"})
    refused = people.post(
        "j.brooks", base + "/tasks/T2/status", {"status": "done", "based_on_version": version}
    )
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert "task status changed" in error and "note added" not in error


def test_an_idempotency_key_belongs_to_the_account_that_sent_it(world):
    people = People(world)
    ref = open_incident(people)  # not shared with the partner
    key = {"Idempotency-Key": "nightly-1"}
    lead = {**world.headers["m.alvarez"], **key}
    first = world.client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "x"}, headers=lead)
    assert first.status_code == 201, first.text

    demo = open_incident(people)  # another incident, shared with the partner
    people.post("m.alvarez", f"/api/v1/incidents/{demo}/shares", {"organisation": EASTSIDE})
    partner = {**world.headers["j.brooks"], **key}
    mine = world.client.post(
        f"/api/v1/incidents/{demo}/notes", json={"text": "ours"}, headers=partner
    )
    assert mine.status_code == 201, mine.text  # the partner's own key, not the lead's
    assert ref not in mine.text and "add_note" not in mine.text

    # The same request and key from another account (Jefferson's principal: the incident is
    # at Jefferson) is that account's own command.
    counselor = {**world.headers["d.chen"], **key}
    again = world.client.post(
        f"/api/v1/incidents/{ref}/notes", json={"text": "x"}, headers=counselor
    )
    assert again.status_code == 201 and again.json()["version"] > first.json()["version"]
    retried = world.client.post(
        f"/api/v1/incidents/{ref}/notes", json={"text": "x"}, headers=counselor
    )
    assert retried.json() == again.json()  # a retry of one's own still appends nothing
