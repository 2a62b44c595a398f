"""A date that got into the store before the 1970 to 2100 range was enforced (year 1 at +14:00,
the last microsecond of year 9999 at -14:00) never breaks a page, the API, an export or the feed
for anyone: each answers and shows the date as it was recorded."""

import json
from collections.abc import Iterator

import pytest

from tests.builders import SignedIn, signed_in_app
from tests.cli_runs import steady

FAR_PAST = "0001-01-01T00:00+14:00"
FAR_FUTURE = "9999-12-31T23:59:59.999999-14:00"
LOCKDOWN = {
    "title": "Lockdown after a report of a weapon",
    "kind": "lockdown",
    "severity": 1,
    "schools": ["Roosevelt High School"],
}


@pytest.fixture
def world(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[SignedIn]:
    """An incident that happened in year 1, with a playbook's tasks due then and a task due at
    the end of year 9999: stored as an older Steady would have, by skipping the range check
    only while its events are made."""
    with signed_in_app(database_url) as signed:
        client = signed.client
        client.headers.update(signed.headers["m.alvarez"])
        with monkeypatch.context() as unchecked:
            unchecked.setattr("domain.moments.check_moment", lambda field, value: value)
            opened = client.post("/api/v1/incidents", json={**LOCKDOWN, "occurred_at": FAR_PAST})
            assert opened.status_code == 201, opened.text
            ref = signed.ref = opened.json()["reference"]
            base = f"/api/v1/incidents/{ref}"
            applied = client.post(f"{base}/playbooks", json={"playbook_id": "lockdown-or-threat"})
            assert applied.status_code == 201, applied.text
            task = {"title": "Review", "owner_role": "principal", "due_at": FAR_FUTURE}
            assert client.post(f"{base}/tasks", json=task).status_code == 201
        # Later changes, with the check in place again, are recorded as usual.
        assert client.post(f"{base}/notes", json={"text": "Reunification at Elm St."}).status_code
        done = client.post(f"{base}/tasks/T1/status", json={"status": "done", "note": "ok"})
        assert done.status_code == 200, done.text
        yield signed


def test_every_page_shows_an_incident_with_dates_beyond_any_zone(world):
    client, ref = world.client, world.ref
    for path in [
        "/",
        "/?all=1",
        f"/incidents/{ref}",
        f"/incidents/{ref}/card",
        f"/incidents/{ref}/report",
        f"/incidents/{ref}/replay",
        f"/incidents/{ref}/replay?version=2",
        f"/incidents/{ref}/timeline",
    ]:
        response = client.get(path)
        assert response.status_code == 200, (path, response.text[-2000:])
        assert "Lockdown after a report of a weapon" in response.text, path
    # The board and the incident page show when it happened, as it was recorded.
    assert "0001-01-01T00:00:00+14:00" in client.get("/").text
    shown = client.get(f"/incidents/{ref}").text
    assert "0001-01-01T00:00:00+14:00" in shown and "1 Jan 0001" in shown
    assert "9999-12-31T23:59:59.999999-14:00" in shown and "31 Dec 9999" in shown


def test_replaying_at_such_a_moment_is_refused_saying_which_dates_are_accepted(world):
    response = world.client.get(f"/incidents/{world.ref}/replay", params={"at": FAR_PAST})
    assert response.status_code == 400
    assert "1970-01-01" in response.text and "2100-01-01" in response.text


def test_the_api_exports_and_the_feed_carry_the_dates_as_recorded(world):
    client, ref = world.client, world.ref
    base = f"/api/v1/incidents/{ref}"
    incident = client.get(base)
    assert incident.status_code == 200
    assert incident.json()["occurred_at"] == "0001-01-01T00:00:00+14:00"
    due = {t["due_at"] for t in incident.json()["task_list"]}
    assert "9999-12-31T23:59:59.999999-14:00" in due
    listed = client.get("/api/v1/incidents").json()["incidents"]
    assert [i["reference"] for i in listed] == [ref]
    for path in [
        "/state?version=2",
        "/timeline",
        "/timeline.csv",
        "/export",
        "/events",
        "/diff?from=1&to=3",
    ]:
        response = client.get(base + path)
        assert response.status_code == 200, (path, response.text)
    assert client.get("/api/v1/events?after=0").status_code == 200
    with client.websocket_connect("/ws/board?after=0") as socket:
        opened = socket.receive_json()
        assert opened["type"] == "incident_opened"
        assert opened["data"]["occurred_at"] == "0001-01-01T00:00:00+14:00"


def test_the_command_line_shows_it_too(world, database_url):
    board = steady(database_url, "board")
    assert board.returncode == 0, board.stderr
    assert "Lockdown after a report of a weapon" in board.stdout
    shown = steady(database_url, "incidents", "show", world.ref)
    assert shown.returncode == 0, shown.stderr
    assert "0001" in shown.stdout and "9999" in shown.stdout
    exported = steady(database_url, "export", world.ref)
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["events"]
