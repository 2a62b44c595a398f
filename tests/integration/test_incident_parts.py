"""The incident page's parts (its header and counts, one task, one note's thread), which the page
fetches after a live event instead of itself: the same content as the page, for the same people,
and for a partner nothing of a task or note not shared with them."""

from collections.abc import Iterator

import pytest
from markupsafe import escape

from tests.builders import SignedIn, signed_in_app
from tests.integration import test_sharing
from tests.integration.test_sharing import (
    DISTRICT_TASK,
    EASTSIDE,
    PARTNER_TASK,
    People,
    open_incident,
)

SECRET = str(escape(test_sharing.SECRET))  # as a page shows it


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> Iterator[SignedIn]:
    url = f"sqlite:///{tmp_path_factory.mktemp('parts')}/steady.db"
    with signed_in_app(url) as signed:
        yield signed


@pytest.fixture(scope="module")
def shared(world) -> dict[str, str]:
    """An incident shared with Eastside: T2 assigned to it and one note shared with it (N2);
    T1 and the first note (N1) are the district's own."""
    people = People(world)
    ref = open_incident(people)
    base = f"/api/v1/incidents/{ref}"
    assert people.post("m.alvarez", base + "/shares", {"organisation": EASTSIDE}).is_success
    assert people.post(
        "m.alvarez", base + "/tasks/T2/assignment", {"kind": "partner", "name": EASTSIDE}
    ).is_success
    note = people.post(
        "m.alvarez", base + "/notes", {"text": "Groups on Tuesdays", "share_with": [EASTSIDE]}
    )
    assert note.status_code == 201, note.text
    return {"ref": ref, "shared_note": note.json()["note_id"]}


def test_a_part_holds_the_header_the_counts_the_task_and_the_note(world, shared):
    people = People(world)
    ref = shared["ref"]
    people.post("m.alvarez", f"/api/v1/incidents/{ref}/tasks/T1/status", {"status": "done"})
    parts = people.get("m.alvarez", f"/incidents/{ref}/parts?task=T1&note=N1")
    assert parts.status_code == 200, parts.text
    html = parts.text
    assert 'id="incident-head"' in html and "1 of 2 tasks done" in html
    assert 'id="phase-response-count"' in html and "1 of 2 done" in html
    assert 'id="task-T1"' in html and DISTRICT_TASK in html and 'id="task-T2"' not in html
    assert 'id="note-N1"' in html and SECRET in html
    page = people.get("m.alvarez", f"/incidents/{ref}").text
    assert len(html) * 5 < len(page)  # the point of it: a small part of the page
    assert parts.headers["cache-control"] == "no-store"


def test_a_partner_gets_parts_of_what_is_shared_with_them_and_nothing_else(world, shared):
    people = People(world)
    ref = shared["ref"]
    theirs = people.get("j.brooks", f"/incidents/{ref}/parts?task=T2&note={shared['shared_note']}")
    assert theirs.status_code == 200, theirs.text
    assert PARTNER_TASK in theirs.text and "Groups on Tuesdays" in theirs.text
    assert SECRET not in theirs.text and DISTRICT_TASK not in theirs.text
    assert "0 of 1 of your organisation&#39;s task done" in theirs.text
    for query in ("task=T1", "note=N1", f"task=T1&note={shared['shared_note']}"):
        refused = people.get("j.brooks", f"/incidents/{ref}/parts?{query}")
        assert refused.status_code == 404, (query, refused.text[:200])
        assert SECRET not in refused.text and DISTRICT_TASK not in refused.text


def test_the_people_part_holds_the_section_by_pseudonym_for_those_who_see_it(world, shared):
    people = People(world)
    ref = shared["ref"]
    recorded = people.post(
        "m.alvarez",
        f"/api/v1/incidents/{ref}/people",
        {"kind": "student", "school": "Jefferson Middle School", "grade": "7",
         "how_affected": "sat beside him", "identity": {"name": "Tomasz Wiśniewski-Park"}},
    )  # fmt: skip
    assert recorded.status_code == 201, recorded.text
    person = recorded.json()["reference"]
    part = people.get("m.alvarez", f"/incidents/{ref}/parts?people=true")
    assert part.status_code == 200, part.text
    assert 'id="people"' in part.text and f'id="person-{person}"' in part.text
    assert "Wiśniewski" not in part.text and "Not triaged" in part.text
    assert 'id="people"' not in people.get("m.alvarez", f"/incidents/{ref}/parts").text
    # A partner not referred to the person gets the section without them.
    theirs = people.get("j.brooks", f"/incidents/{ref}/parts?people=true")
    assert theirs.status_code == 200 and f'id="person-{person}"' not in theirs.text


def test_no_part_of_an_incident_for_someone_who_may_not_know_of_it(world, shared):
    people = People(world)
    ref = shared["ref"]
    # A responder of another school, and a partner once the share has ended.
    assert people.get("k.okafor", f"/incidents/{ref}/parts").status_code == 404
    people.post("m.alvarez", f"/api/v1/incidents/{ref}/shares/{EASTSIDE}/end", {"reason": ""})
    assert people.get("j.brooks", f"/incidents/{ref}/parts?task=T2").status_code == 404
