"""The JSON API over a real SQLite store: every endpoint, bad input, conflicts, and the feed."""

import json
from collections.abc import Iterator

import pytest
from litestar.testing import TestClient

from tests.builders import signed_in_app

# Each person's Authorization header, filled in by the client fixture for its fresh store.
LEAD: dict[str, str] = {}
COUNSELOR: dict[str, str] = {}
ADMIN: dict[str, str] = {}
LOCKDOWN = {
    "title": "Lockdown after a report of a weapon",
    "kind": "lockdown",
    "severity": 1,
    "schools": ["Roosevelt High School"],
    "summary": "Police responded to an anonymous tip.",
}


@pytest.fixture
def client(sqlite_url) -> Iterator[TestClient]:
    """A client that reads as the crisis lead unless a request says otherwise."""
    with signed_in_app(sqlite_url) as signed:
        LEAD.clear()
        LEAD.update(signed.headers["m.alvarez"])
        COUNSELOR.clear()
        COUNSELOR.update(signed.headers["k.okafor"])
        ADMIN.clear()
        ADMIN.update(signed.headers["admin"])
        signed.client.headers.update(LEAD)
        yield signed.client


def open_incident(client: TestClient, **changes) -> dict:
    response = client.post("/api/v1/incidents", json={**LOCKDOWN, **changes}, headers=LEAD)
    assert response.status_code == 201, response.text
    return response.json()


def test_opening_an_incident_returns_its_reference_version_and_position(client):
    body = open_incident(client)
    assert body["reference"].startswith("INC-") and body["version"] == 1
    assert isinstance(body["position"], int) and body["id"]
    shown = client.get(f"/api/v1/incidents/{body['reference']}").json()
    assert shown["title"] == LOCKDOWN["title"] and shown["status"] == "open"
    assert client.get(f"/api/v1/incidents/{body['id']}").json()["reference"] == body["reference"]
    listed = client.get("/api/v1/incidents").json()
    assert [i["reference"] for i in listed["incidents"]] == [body["reference"]]


def test_every_command_endpoint_changes_the_incident(client):
    ref = open_incident(client)["reference"]
    base = f"/api/v1/incidents/{ref}"
    steps = [
        ("/playbooks", {"playbook_id": "lockdown-or-threat"}, 201),
        ("/tasks", {"title": "Check the east gate camera", "owner_role": "safety-officer"}, 201),
        ("/tasks/T1/status", {"status": "in_progress"}, 200),
        ("/tasks/T1/status", {"status": "done", "note": "All 41 rooms accounted for"}, 200),
        (
            "/tasks/T2/assignment",
            {"kind": "partner", "name": "Eastside Counseling Center (mental-health agency)"},
            200,
        ),
        ("/notes", {"text": "Reunification at the church on Elm Street"}, 201),
        (
            "/notes/N1/corrections",
            {"text": "Reunification at Elm St. church hall", "reason": "exact place"},
            201,
        ),
        ("/severity", {"severity": 2, "reason": "No weapon found"}, 200),
        ("/phase", {"phase": "stabilization"}, 200),
        (
            "/close",
            {"review_summary": "Safe dismissal; debrief held.", "open_tasks": "not_applicable"},
            200,
        ),
        ("/reopen", {"reason": "Family asked for a follow-up meeting", "phase": "recovery"}, 200),
    ]
    answers = {}
    for path, body, status in steps:
        response = client.post(base + path, json=body, headers=LEAD)
        assert response.status_code == status, (path, response.text)
        answers[path] = response.json()
    incident = client.get(base).json()
    # One event a step, and one more for each task still open as it closed (not applicable).
    settled = len(answers["/close"]["tasks"])
    assert settled > 0 and incident["version"] == 1 + len(steps) + settled
    tasks = {t["id"]: t for t in incident["task_list"]}
    assert (
        tasks["T1"]["status"] == "done" and tasks["T1"]["done_note"] == "All 41 rooms accounted for"
    )
    # A partner named by its name is recorded by its id, which its people are matched on.
    assert tasks["T2"]["assignee"] == {"kind": "partner", "name": "eastside-counseling"}
    assert incident["severity"] == 2 and incident["phase"] == "recovery"
    assert [n["corrects"] for n in incident["notes"]] == ["", "N1"]
    events = client.get(base + "/events").json()["events"]
    assert [e["version"] for e in events] == list(range(1, incident["version"] + 1))
    lead_token = LEAD["Authorization"].split("_")[1]
    assert events[3]["actor"] == {
        "user": "m.alvarez",
        "role": "crisis-lead",
        "token": lead_token,  # made with her token, which she issued herself
        "token_issued_by": "m.alvarez",
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**LOCKDOWN, "severity": "high"}, "severity"),
        ({k: v for k, v in LOCKDOWN.items() if k != "title"}, "title"),
        ({**LOCKDOWN, "schools": "Roosevelt"}, "schools"),
        ({**LOCKDOWN, "occurred_at": "yesterday"}, "occurred_at"),
    ],
)
def test_malformed_input_is_a_400_naming_the_field(client, body, field):
    response = client.post("/api/v1/incidents", json=body, headers=LEAD)
    assert response.status_code == 400
    assert response.json()["field"] == field
    assert field in response.json()["error"]


def test_moments_may_omit_seconds_and_offset_and_are_then_read_in_district_time(client):
    ref = open_incident(client, occurred_at="2026-11-02T08:05")["reference"]
    assert (
        client.get(f"/api/v1/incidents/{ref}").json()["occurred_at"] == "2026-11-02T08:05:00-06:00"
    )
    ref = open_incident(client, occurred_at="2026-11-02T08:05Z")["reference"]
    assert (
        client.get(f"/api/v1/incidents/{ref}").json()["occurred_at"] == "2026-11-02T08:05:00+00:00"
    )


def test_breaking_a_rule_is_a_422_with_what_to_do(client):
    response = client.post("/api/v1/incidents", json={**LOCKDOWN, "severity": 7}, headers=LEAD)
    assert response.status_code == 422
    assert "severity must be a whole number from 1 to 4" in response.json()["error"]
    ref = open_incident(client)["reference"]
    client.post(f"/api/v1/incidents/{ref}/close", json={"review_summary": "done"}, headers=LEAD)
    response = client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "x"}, headers=LEAD)
    assert response.status_code == 422 and "reopen it with a reason" in response.json()["error"]


def test_someone_must_sign_in(client):
    del client.headers["authorization"]
    response = client.post("/api/v1/incidents", json=LOCKDOWN)
    assert response.status_code == 401
    assert "sign in" in response.json()["error"]
    assert client.get("/api/v1/incidents").status_code == 401
    wrong = client.get("/api/v1/incidents", headers={"Authorization": "Bearer stdy_nope"})
    assert wrong.status_code == 401 and "token is not valid" in wrong.json()["error"]


def test_unknown_incident_task_or_playbook_is_a_404(client):
    assert client.get("/api/v1/incidents/INC-2026-9999").status_code == 404
    ref = open_incident(client)["reference"]
    response = client.post(
        f"/api/v1/incidents/{ref}/tasks/T99/status", json={"status": "done"}, headers=LEAD
    )
    assert response.status_code == 404 and "no task 'T99'" in response.json()["error"]
    response = client.post(
        f"/api/v1/incidents/{ref}/playbooks", json={"playbook_id": "nope"}, headers=LEAD
    )
    assert response.status_code == 404 and "death-of-student-or-staff" in response.json()["error"]
    assert client.get("/api/v1/playbooks/nope").status_code == 404


def test_an_incident_names_only_the_districts_schools(client):
    misspelt = client.post("/api/v1/incidents", json={**LOCKDOWN, "schools": ["Rosevelt High"]})
    assert misspelt.status_code == 404, misspelt.text
    error = misspelt.json()
    assert error["field"] == "schools"
    assert "'Rosevelt High' is not one of the district's schools" in error["error"]
    assert "Roosevelt High School" in error["error"] and "Lincoln Elementary" in error["error"]
    # Its id, or its name in another case, is the school itself, named as the district names it.
    ref = open_incident(client, schools=["roosevelt-high-school", "lincoln elementary"])
    shown = client.get(f"/api/v1/incidents/{ref['reference']}").json()
    assert shown["schools"] == ["Roosevelt High School", "Lincoln Elementary"]
    board = client.get("/").text
    assert "Rosevelt" not in board


def test_a_stale_change_to_the_same_task_is_a_409(client):
    ref = open_incident(client)["reference"]
    base = f"/api/v1/incidents/{ref}"
    client.post(base + "/playbooks", json={"playbook_id": "lockdown-or-threat"}, headers=LEAD)
    mine = {"kind": "person", "name": "k.okafor"}  # a responder may update only their own tasks
    client.post(base + "/tasks/T1/assignment", json=mine, headers=LEAD)
    seen = client.get(base).json()["version"]
    assert (
        client.post(
            base + "/tasks/T1/status", json={"status": "done"}, headers=COUNSELOR
        ).status_code
        == 200
    )
    response = client.post(
        base + "/tasks/T1/status",
        json={"status": "blocked", "reason": "x", "based_on_version": seen},
        headers=LEAD,
    )
    assert response.status_code == 409
    assert (
        "changed after version 3" in response.json()["error"]
        and "k.okafor" in response.json()["error"]
    )


def test_idempotency_key_makes_a_retry_harmless(client):
    headers = {**LEAD, "Idempotency-Key": "retry-me"}
    first = client.post("/api/v1/incidents", json=LOCKDOWN, headers=headers)
    again = client.post("/api/v1/incidents", json=LOCKDOWN, headers=headers)
    assert first.json() == again.json()
    assert len(client.get("/api/v1/incidents").json()["incidents"]) == 1
    other = client.post("/api/v1/incidents", json={**LOCKDOWN, "title": "Other"}, headers=headers)
    assert other.status_code == 422 and "different request" in other.json()["error"]


def test_replay_state_by_version_and_time_and_its_errors(client):
    ref = open_incident(client)["reference"]
    base = f"/api/v1/incidents/{ref}"
    client.post(base + "/severity", json={"severity": 3}, headers=LEAD)
    assert client.get(base + "/state?version=1").json()["severity"] == 1
    assert client.get(base + "/state?version=2").json()["severity"] == 3
    now = client.get(base).json()["last_activity_at"]
    assert client.get(base + "/state", params={"at": now}).json()["severity"] == 3
    beyond = client.get(base + "/state?version=3")
    assert beyond.status_code == 422 and "beyond the stream" in beyond.json()["error"]
    before = client.get(base + "/state", params={"at": "2000-01-01T00:00:00+00:00"})
    assert before.status_code == 422 and "nothing to show" in before.json()["error"]
    assert client.get(base + "/state?at=soon").status_code == 400
    assert client.get(base + "/state?version=0").status_code == 400


def test_global_feed_pages_by_position(client):
    first = open_incident(client)
    second = open_incident(client, title="Second")
    feed = client.get("/api/v1/events?after=0&limit=1").json()
    assert [e["incident"]["reference"] for e in feed["events"]] == [first["reference"]]
    rest = client.get(f"/api/v1/events?after={feed['last_position']}").json()["events"]
    assert [e["incident"]["reference"] for e in rest] == [second["reference"]]
    assert client.get("/api/v1/events?limit=5000").status_code == 400
    assert client.get("/api/v1/events?after=-1").status_code == 400


def test_playbooks_by_kind_and_openapi_document(client):
    kinds = client.get("/api/v1/playbooks?kind=bullying").json()["playbooks"]
    assert [p["id"] for p in kinds] == ["bullying-or-harassment-report"]
    assert client.get("/api/v1/playbooks/suicide-postvention").json()["phases"][0]["steps"]
    schema = client.get("/schema/openapi.json").json()
    for path in [
        "/api/v1/incidents",
        "/api/v1/incidents/{ref}/tasks/{task_id}/status",
        "/api/v1/events",
    ]:
        assert path in schema["paths"]


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[]",
        b"null",
        b'{"title": null}',
        b'{"severity": 1e400}',
        b"\xff\xfe",
        b"{" * 50,
    ],
)
def test_no_malformed_body_produces_a_500(client, raw):
    ref = open_incident(client)["reference"]
    for path in [
        "/api/v1/incidents",
        f"/api/v1/incidents/{ref}/notes",
        f"/api/v1/incidents/{ref}/severity",
    ]:
        response = client.post(
            path, content=raw, headers={**LEAD, "Content-Type": "application/json"}
        )
        assert 400 <= response.status_code < 500, (path, raw, response.text)


def test_websocket_sends_missed_events_then_caught_up_then_live(client):
    first = open_incident(client)
    with client.websocket_connect("/ws/board?after=0") as socket:
        message = socket.receive_json()
        assert message["type"] == "incident_opened" and message["position"] == first["position"]
        caught_up = socket.receive_json()
        assert caught_up == {"type": "caught_up", "position": first["position"]}
        note = client.post(
            f"/api/v1/incidents/{first['reference']}/notes", json={"text": "live"}, headers=LEAD
        ).json()
        while (message := socket.receive_json())["type"] == "heartbeat":
            pass
        assert message["type"] == "note_added" and message["position"] == note["position"]
        assert message["incident"]["reference"] == first["reference"]
        assert message["data"]["text"] == "live"
        assert set(message) == {"position", "incident", "version", "type", "at", "actor", "data"}
        json.dumps(message)


def test_auditors_can_verify_and_export_over_the_api(client):
    ref = open_incident(client)["reference"]
    client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "one"}, headers=LEAD)
    check = client.get(f"/api/v1/incidents/{ref}/verify").json()
    assert check["intact"] and check["events"] == 2 and check["break"] is None
    assert client.get("/api/v1/verify").json()["intact"] is True
    response = client.get(f"/api/v1/incidents/{ref}/export")
    assert f'filename="{ref}-events.json"' in response.headers["content-disposition"]
    document = response.json()
    assert document["event_count"] == 2 and document["chain_head"] == check["chain_head"]
    assert client.get("/api/v1/incidents/INC-2026-9999/verify").status_code == 404


def test_every_response_carries_the_security_headers(client):
    for path in ["/api/v1/incidents", "/api/v1/incidents/INC-2026-9999", "/static/steady.css"]:
        headers = client.get(path).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert "frame-ancestors 'none'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"


FAR_PAST = "0001-01-01T00:00+14:00"
RANGE_WORDS = ("1970-01-01", "2100-01-01")


def assert_out_of_range(response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["field"] == field
    assert field in body["error"] and all(word in body["error"] for word in RANGE_WORDS)


@pytest.mark.parametrize("when", [FAR_PAST, "1969-12-31T23:00Z", "2100-01-02T00:00"])
def test_a_moment_outside_1970_to_2100_is_a_400_naming_the_field_and_the_range(client, when):
    assert_out_of_range(
        client.post("/api/v1/incidents", json={**LOCKDOWN, "occurred_at": when}), "occurred_at"
    )
    ref = open_incident(client)["reference"]
    task = {"title": "Check the east gate camera", "owner_role": "safety-officer", "due_at": when}
    assert_out_of_range(client.post(f"/api/v1/incidents/{ref}/tasks", json=task), "due_at")
    assert_out_of_range(client.get(f"/api/v1/incidents/{ref}/state", params={"at": when}), "at")
    assert client.get(f"/api/v1/incidents/{ref}").json()["version"] == 1  # nothing recorded
    assert [i["reference"] for i in client.get("/api/v1/incidents").json()["incidents"]] == [ref]


NESTED = [b"[" * 100_000, b'{"a":' * 100_000, b'{"title": ' + b"[" * 100_000]


@pytest.mark.parametrize("raw", NESTED, ids=["arrays", "objects", "in-a-field"])
def test_deeply_nested_json_is_a_400_on_every_json_endpoint(client, raw):
    ref = open_incident(client)["reference"]
    for path, who in [
        ("/api/v1/incidents", LEAD),
        (f"/api/v1/incidents/{ref}/notes", LEAD),
        (f"/api/v1/incidents/{ref}/tasks/T1/status", LEAD),
        (f"/api/v1/incidents/{ref}/shares", LEAD),
        ("/api/v1/accounts", ADMIN),
        ("/api/v1/accounts/k.okafor/roles", ADMIN),
    ]:
        headers = {**who, "Content-Type": "application/json"}
        response = client.post(path, content=raw, headers=headers)
        assert response.status_code == 400, (path, response.text)
        assert "nested too deeply" in response.json()["error"]
    # Not JSON at all to Litestar's eyes: a form body that looks nested, and a socket message.
    form = client.post("/signin", content=b"username=" + b"[" * 100_000 + b"&password=x")
    assert form.status_code < 500
    with client.websocket_connect("/ws/board?after=0") as socket:
        socket.send_text(raw.decode())
        assert socket.receive_json()["type"] == "incident_opened"
    assert client.get("/api/v1/incidents").status_code == 200


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/incidents", {**LOCKDOWN, "title": "\u200b"}, "title"),
        ("notes", {"text": "\x00"}, "note"),
        ("notes", {"text": "\ufeff \u200d\n"}, "note"),
        ("tasks", {"title": "\u200b", "owner_role": "principal"}, "task title"),
    ],
)
def test_text_that_shows_nothing_is_refused_saying_what_to_write(client, path, body, field):
    if not path.startswith("/"):
        path = f"/api/v1/incidents/{open_incident(client)['reference']}/{path}"
    response = client.post(path, json=body)
    assert response.status_code == 422, response.text
    assert f"{field} must not be empty: write it in words" in response.json()["error"]


def test_a_control_character_in_a_note_is_refused_naming_it(client):
    ref = open_incident(client)["reference"]
    response = client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "Room\x00 114"})
    assert response.status_code == 422
    assert "note holds a control character (U+0000)" in response.json()["error"]
    kept = client.post(f"/api/v1/incidents/{ref}/notes", json={"text": "Room 114\r\n\t- water"})
    assert kept.status_code == 201
    notes = client.get(f"/api/v1/incidents/{ref}").json()["notes"]
    assert [n["text"] for n in notes] == ["Room 114\n\t- water"]
