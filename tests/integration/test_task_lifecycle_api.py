"""Rescheduling, marking a step not applicable, and closing with open tasks, through the JSON
API over a real SQLite store: who may, what is refused and why, and what the record then says."""

from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from domain.incident import Incident
from service.incidents.application import Steady
from tests.builders import LEAD, signed_in_app

LOCKDOWN = {
    "title": "Lockdown after a report of a weapon",
    "kind": "lockdown",
    "severity": 1,
    "schools": ["Roosevelt High School"],
}


@pytest.fixture(scope="module")
def api(tmp_path_factory) -> Iterator[tuple[TestClient, dict[str, dict[str, str]]]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('lifecycle')}/steady.db"
    with signed_in_app(url) as signed:
        yield signed.client, signed.headers


def incident_with_tasks(client: TestClient, lead: dict[str, str]) -> str:
    opened = client.post("/api/v1/incidents", json=LOCKDOWN, headers=lead)
    assert opened.status_code == 201, opened.text
    ref = opened.json()["reference"]
    for title, owner, due in [
        ("Call the family", "counselor", "2026-11-24T09:00"),
        ("Check the east gate camera", "safety-officer", None),
        ("Debrief the staff", "principal", "2026-11-24T15:30"),
    ]:
        body = {"title": title, "owner_role": owner, "due_at": due}
        added = client.post(f"/api/v1/incidents/{ref}/tasks", json=body, headers=lead)
        assert added.status_code == 201, added.text
    return ref


def timeline_texts(client: TestClient, ref: str, headers: dict[str, str]) -> list[str]:
    timeline = client.get(f"/api/v1/incidents/{ref}/timeline", headers=headers).json()
    return [e["text"] for e in timeline["entries"]]


def test_a_lead_reschedules_a_task_and_the_first_due_time_stays(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    task = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()["task_list"][0]
    assert task["due_at"] == "2026-11-24T09:00:00-06:00"  # the form's time, in district time
    path = f"/api/v1/incidents/{ref}/tasks/T1/schedule"
    body = {"due_at": "2026-11-26T10:00", "reason": "The family is away until Thursday"}
    assert client.post(path, json=body, headers=lead).status_code == 200
    task = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()["task_list"][0]
    assert task["due_at"] == "2026-11-26T10:00:00-06:00"
    assert task["original_due_at"] == "2026-11-24T09:00:00-06:00"
    assert task["reschedule_reason"] == "The family is away until Thursday"
    again = client.post(path, json=body, headers=lead)
    assert again.status_code == 422 and "give a new due time" in again.json()["error"]
    no_reason = client.post(path, json={"due_at": "2026-11-27T10:00", "reason": ""}, headers=lead)
    assert no_reason.status_code in (400, 422)
    # A responder may work their own tasks, not move the plan's clock.
    later = {**body, "due_at": "2026-11-27T10:00"}
    counselor = client.post(path, json=later, headers=headers["k.okafor"])
    assert counselor.status_code == 403 and "may not reschedule a task" in counselor.json()["error"]
    texts = timeline_texts(client, ref, lead)
    assert any(
        "rescheduled T1 'Call the family' from Tue 24 Nov 2026, 09:00:00 CST to Thu 26 Nov 2026, "
        "10:00:00 CST: The family is away until Thursday" in t
        for t in texts
    )


def test_not_applicable_needs_a_lead_and_a_reason_and_is_neither_open_nor_done(api):
    client, headers = api
    lead, counselor = headers["m.alvarez"], headers["k.okafor"]
    ref = incident_with_tasks(client, lead)
    path = f"/api/v1/incidents/{ref}/tasks/T1/status"
    own = client.post(path, json={"status": "not_applicable", "reason": "x"}, headers=counselor)
    assert own.status_code == 403
    assert "may not reschedule a task, or mark it not applicable" in own.json()["error"]
    bare = client.post(path, json={"status": "not_applicable"}, headers=lead)
    assert bare.status_code == 422 and "does not apply" in bare.json()["error"]
    body = {"status": "not_applicable", "reason": "The student moved out of district"}
    assert client.post(path, json=body, headers=lead).status_code == 200
    shown = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()
    assert shown["tasks"]["done"] == 0 and shown["tasks"]["not_applicable"] == 1
    assert shown["task_list"][0]["status"] == "not_applicable"
    # Once set aside, only a lead brings it back, with a reason.
    back = {"status": "todo", "reason": "The family came back"}
    assert client.post(path, json=back, headers=counselor).status_code == 403
    assert client.post(path, json=back, headers=lead).status_code == 200


def test_the_progress_bar_fills_with_settled_tasks_and_says_how_each_was_settled(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    base = f"/api/v1/incidents/{ref}/tasks"
    client.post(f"{base}/T1/status", json={"status": "done"}, headers=lead)
    body = {"status": "not_applicable", "reason": "The camera was replaced"}
    client.post(f"{base}/T2/status", json=body, headers=lead)
    html = client.get(f"/incidents/{ref}", headers=lead).text
    assert '<progress class="progress__bar" max="3" value="2"' in html
    assert 'id="incident-progress">2 of 3 tasks settled: 1 done, 1 not applicable<' in html


def test_closing_with_open_tasks_is_refused_until_each_has_an_outcome(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    close = f"/api/v1/incidents/{ref}/close"
    refused = client.post(close, json={"review_summary": "Safe dismissal."}, headers=lead)
    assert refused.status_code == 422
    assert "has 3 open tasks (T1, T2, T3)" in refused.json()["error"]
    assert "one for all open tasks or one per task" in refused.json()["error"]
    partly = {"review_summary": "Safe dismissal.", "task_outcomes": {"T1": "done"}}
    refused = client.post(close, json=partly, headers=lead)
    assert refused.status_code == 422 and "2 open tasks (T2, T3)" in refused.json()["error"]
    assert client.get(f"/api/v1/incidents/{ref}", headers=lead).json()["status"] == "open"


def test_closing_with_a_decision_for_a_task_settled_meanwhile_is_a_conflict_naming_it(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    version = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()["version"]
    # The lead opens the close dialog; meanwhile the debrief is marked done (in another tab).
    done = client.post(
        f"/api/v1/incidents/{ref}/tasks/T3/status", json={"status": "done"}, headers=lead
    )
    assert done.status_code == 200, done.text
    body = {
        "review_summary": "Safe dismissal.",
        "based_on_version": version,
        "task_outcomes": {"T1": "done", "T2": "not_applicable", "T3": "not_applicable"},
    }
    refused = client.post(f"/api/v1/incidents/{ref}/close", json=body, headers=lead)
    assert refused.status_code == 409, refused.text
    error = refused.json()["error"]
    assert "task T3 'Debrief the staff' is done now, not open" in error
    assert "Look again at the tasks still open" in error
    shown = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()
    assert shown["status"] == "open" and shown["task_list"][2]["status"] == "done"


def test_closing_carries_open_tasks_into_a_follow_up_linked_both_ways(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    client.post(
        f"/api/v1/incidents/{ref}/tasks/T1/assignment",
        json={"kind": "person", "name": "k.okafor"},
        headers=lead,
    )
    body = {
        "review_summary": "Safe dismissal; the family call goes on.",
        "open_tasks": "follow_up",
        "task_outcomes": {"T2": "not_applicable", "T3": "done"},
    }
    closed = client.post(f"/api/v1/incidents/{ref}/close", json=body, headers=lead)
    assert closed.status_code == 200, closed.text
    follow_up = closed.json()["follow_up"]
    assert closed.json()["tasks"] == {"T1": "follow_up", "T2": "not_applicable", "T3": "done"}
    original = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()
    assert original["status"] == "closed" and original["follow_ups"] == [follow_up]
    assert [t["carried_to"] for t in original["task_list"]] == [follow_up, "", ""]
    assert [t["status"] for t in original["task_list"]][1:] == ["not_applicable", "done"]
    assert original["tasks"]["carried"] == 1 and original["tasks"]["overdue"] == 0
    new = client.get(f"/api/v1/incidents/{follow_up}", headers=lead).json()
    assert new["title"] == f"Follow-up: {LOCKDOWN['title']}" and new["follows"] == ref
    assert (new["kind"], new["schools"], new["status"]) == ("lockdown", LOCKDOWN["schools"], "open")
    [carried] = new["task_list"]
    assert (carried["title"], carried["owner_role"], carried["due_at"]) == (
        "Call the family",
        "counselor",
        "2026-11-24T09:00:00-06:00",
    )
    assert carried["assignee"] == {"kind": "person", "name": "k.okafor"}
    assert carried["carried_from"] == f"{ref} T1" and carried["status"] == "todo"
    # The record tells it in plain words, on both sides.
    old_lines = timeline_texts(client, ref, lead)
    assert old_lines[-4:] == [
        "m.alvarez (crisis-lead) marked T2 'Check the east gate camera' not applicable: decided "
        "as the incident closed (the review summary says why)",
        "m.alvarez (crisis-lead) completed T3 'Debrief the staff': decided as the incident "
        "closed (the review summary says why)",
        f"m.alvarez (crisis-lead) carried 1 open task into follow-up incident {follow_up}: T1",
        "m.alvarez (crisis-lead) closed the incident: Safe dismissal; the family call goes on.",
    ]
    new_lines = timeline_texts(client, follow_up, lead)
    assert new_lines[-1] == (
        f"m.alvarez (crisis-lead) carried 1 task still open in {ref} into this follow-up incident"
    )


def test_a_notes_correct_button_shows_correct_and_its_ellipsis_together(api):
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "Room 114"}, headers=lead)
    html = client.get(f"/incidents/{ref}", headers=lead).text
    button = html[html.index('id="note-N1-correct"') :]
    button = button[: button.index("</button>")]
    # The button lays its children out apart (a flex gap): the word and "…" must be one child.
    assert button.endswith('><span>Correct<span class="visually-hidden"> this note</span>…</span>')


# Last: it leaves the reference sequence behind a squatter, so no incident opens after it.
def test_the_close_and_its_follow_up_are_one_save(api):
    """When the follow-up cannot be saved, the close is refused whole: nothing of it is
    recorded, neither the tasks' outcomes nor the close."""
    client, headers = api
    lead = headers["m.alvarez"]
    ref = incident_with_tasks(client, lead)
    steady: Steady = client.app.state.steady
    # Something already holds the stream the next reference names (as if written by a
    # release that numbered without the sequence): the follow-up's first event must conflict.
    sequence = steady._reference_sequence(2026)
    taken = sequence.next_reference()
    squatter = Incident.open(
        reference=taken,
        title="Squatter",
        kind="lockdown",
        severity=3,
        schools=["Roosevelt High School"],
        summary="",
        occurred_at=steady.clock(),
        actor=LEAD,
        at=steady.clock(),
    )
    steady.save(squatter)
    before = len(steady.incident_events(ref))
    body = {"review_summary": "Handed on.", "open_tasks": "follow_up"}
    refused = client.post(f"/api/v1/incidents/{ref}/close", json=body, headers=lead)
    assert refused.status_code == 503, refused.text
    assert len(steady.incident_events(ref)) == before
    shown = client.get(f"/api/v1/incidents/{ref}", headers=lead).json()
    assert shown["status"] == "open" and shown["follow_ups"] == []
    assert [t["status"] for t in shown["task_list"]] == ["todo", "todo", "todo"]
