"""The auditor's API and pages over a real SQLite store: timeline (JSON and CSV), diff, replay
by version and by time, the after-action report, and their errors."""

import csv
import io
from collections.abc import Iterator
from datetime import datetime, timedelta
from itertools import pairwise, product

import pytest
from litestar.testing import TestClient

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.diff import apply_diff
from service.timelines.reading import CSV_COLUMNS, EVENT_KINDS
from tests.builders import LEAD, START, Story, signed_in_app, story


@pytest.fixture
def client(sqlite_url) -> Iterator[TestClient]:
    """A client signed in (through the form, with a session cookie) as the demo auditor."""
    with signed_in_app(sqlite_url) as signed:
        signed.sign_in(signed.client, "a.kim")
        yield signed.client


@pytest.fixture
def told(client) -> Story:
    # Every task fell due long before the story's changes, so a view's overdue flags depend on
    # task statuses only: views drawn at different moments of the story compare equal.
    return story(client.app.state.steady, occurred_at=START - timedelta(days=60))


def state(client: TestClient, ref: str, **query) -> dict:
    response = client.get(f"/api/v1/incidents/{ref}/state", params=query)
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k != "as_of"}


def events_of(client: TestClient, ref: str) -> list[dict]:
    return client.get(f"/api/v1/incidents/{ref}/events").json()["events"]


# -- timeline -----------------------------------------------------------------------------------


def test_the_timeline_tells_every_event_and_filters(client, told):
    base = f"/api/v1/incidents/{told.ref}/timeline"
    entries = client.get(base).json()["entries"]
    assert [e["position"] for e in entries] == [e["position"] for e in events_of(client, told.ref)]
    done = next(e for e in entries if e["text"].startswith("k.okafor (counselor) completed"))
    assert done["text"].endswith("'Call the family': spoke with the mother, follow-up Friday")
    assert done["at_text"].endswith("CST") and done["at"].endswith("-06:00")

    by_task = client.get(base, params={"task": told.call}).json()["entries"]
    assert by_task and all(e["task_id"] == told.call for e in by_task)
    by_role = client.get(base, params={"role": "principal"}).json()["entries"]
    assert {e["actor"]["user"] for e in by_role} == {"d.chen"}
    by_phase = client.get(base, params={"phase": "stabilization"}).json()["entries"]
    assert [e["type"] for e in by_phase] == [
        "phase_advanced",
        "tasks_carried_over",
        "incident_closed",
    ]
    by_kind = client.get(base, params={"kind": "note_corrected"}).json()["entries"]
    assert by_kind[0]["corrects"]["original_text"] == "Support room in 114"
    assert client.get(base, params={"task": "T999"}).json()["entries"] == []
    assert client.get(base, params={"role": "", "kind": ""}).json()["entries"] == entries


def test_the_timeline_as_csv_is_an_attachment_with_the_named_columns(client, told):
    response = client.get(f"/api/v1/incidents/{told.ref}/timeline.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert (
        response.headers["content-disposition"] == f'attachment; filename="{told.ref}-timeline.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.text)))
    assert tuple(rows[0]) == CSV_COLUMNS
    entries = client.get(f"/api/v1/incidents/{told.ref}/timeline").json()["entries"]
    assert [r[-1] for r in rows[1:]] == [e["text"] for e in entries]
    filtered = client.get(
        f"/api/v1/incidents/{told.ref}/timeline.csv", params={"role": "counselor"}
    )
    assert {r[4] for r in list(csv.reader(io.StringIO(filtered.text)))[1:]} == {"counselor"}


def test_timeline_errors_are_json_4xx(client, told):
    unknown = client.get(f"/api/v1/incidents/{told.ref}/timeline", params={"kind": "deleted"})
    assert unknown.status_code == 422
    assert all(kind in unknown.json()["error"] for kind in EVENT_KINDS)
    csv_unknown = client.get(f"/api/v1/incidents/{told.ref}/timeline.csv?kind=deleted")
    assert csv_unknown.status_code == 422
    assert client.get("/api/v1/incidents/INC-2026-9999/timeline").status_code == 404
    assert client.get("/api/v1/incidents/INC-2026-9999/timeline.csv").status_code == 404


def test_the_timeline_shows_what_another_instance_wrote_since_the_last_read(
    client, told, sqlite_url
):
    base = f"/api/v1/incidents/{told.ref}/timeline"
    before = client.get(base).json()["entries"]
    assert page(client, f"/incidents/{told.ref}/timeline").status_code == 200
    other = open_steady(Settings(database_url=sqlite_url))  # as another server process
    try:
        other.add_note(told.ref, "Parents meet on Thursday", task_id=told.call, actor=LEAD)
    finally:
        other.close()

    after = client.get(base).json()["entries"]
    assert after[:-1] == before
    assert after[-1]["text"] == (
        f"m.alvarez (crisis-lead) added note N3 about {told.call} 'Call the family': "
        "'Parents meet on Thursday'"
    )
    by_task = client.get(base, params={"task": told.call}).json()["entries"]
    assert by_task[-1]["version"] == after[-1]["version"]
    html = page(client, f"/incidents/{told.ref}/timeline").text
    assert html.count('class="timeline__entry ') == len(after)
    assert "Parents meet on Thursday" in html
    rows = list(csv.reader(io.StringIO(client.get(f"{base}.csv").text)))
    assert rows[-1][-1] == after[-1]["text"]


# -- diff and replay ----------------------------------------------------------------------------


def test_diff_of_a_and_b_applied_to_a_gives_b(client, told):
    latest = len(events_of(client, told.ref))
    some = [1, 2, 3, 6, 9, 10, 12, latest]
    views = {v: state(client, told.ref, version=v) for v in some}
    for a, b in product(some, repeat=2):
        response = client.get(f"/api/v1/incidents/{told.ref}/diff", params={"from": a, "to": b})
        assert response.status_code == 200, response.text
        diff = response.json()
        assert (diff["from"], diff["to"]) == (a, b)
        assert apply_diff(views[a], diff["changes"]) == views[b], (a, b)
        assert [e["version"] for e in diff["events"]] == list(range(min(a, b) + 1, max(a, b) + 1))


def test_diff_errors_are_4xx_with_the_field_or_rule(client, told):
    base = f"/api/v1/incidents/{told.ref}/diff"
    missing = client.get(base, params={"to": 2})
    assert missing.status_code == 400 and missing.json()["field"] == "from"
    words = client.get(base, params={"from": 1, "to": "two"})
    assert words.status_code == 400 and words.json()["field"] == "to"
    assert client.get(base).status_code == 400
    beyond = client.get(base, params={"from": 1, "to": 99})
    assert beyond.status_code == 422 and "version 99 is beyond the stream" in beyond.json()["error"]
    zero = client.get(base, params={"from": 0, "to": 2})
    assert zero.status_code == 422 and "whole number from 1" in zero.json()["error"]
    assert client.get("/api/v1/incidents/INC-2026-9999/diff?from=1&to=2").status_code == 404


def test_replay_at_a_time_equals_replay_at_the_last_version_before_it(client, told):
    events = events_of(client, told.ref)
    for event, following in pairwise(events):
        at, then = datetime.fromisoformat(event["at"]), datetime.fromisoformat(following["at"])
        # One command's events share its moment (closing settles the open tasks, then closes):
        # a moment shows all of them.
        number = max(e["version"] for e in events if datetime.fromisoformat(e["at"]) <= at)
        between = at + (then - at) / 2
        assert state(client, told.ref, at=between.isoformat()) == state(
            client, told.ref, version=number
        )
        assert state(client, told.ref, at=event["at"]) == state(client, told.ref, version=number)
    after = (datetime.fromisoformat(events[-1]["at"]) + timedelta(hours=1)).isoformat()
    assert state(client, told.ref, at=after) == state(client, told.ref, version=len(events))


# -- pages --------------------------------------------------------------------------------------


def page(client: TestClient, path: str, **query):
    return client.get(path, params=query)


def test_the_incident_page_links_to_its_history_and_report(client, told):
    html = page(client, f"/incidents/{told.ref}").text
    for path in ("timeline", "replay", "report"):
        assert f'href="/incidents/{told.ref}/{path}"' in html


def test_the_timeline_page_shows_corrections_as_corrections_and_filters(client, told):
    response = page(client, f"/incidents/{told.ref}/timeline")
    assert response.status_code == 200
    html = response.text
    assert "Original text, now corrected: </span>Support room in 114</del>" in html
    assert "Corrected text: </span>Support room in 214</ins>" in html
    assert "Why: wrong room" in html and "Corrected later" in html
    assert html.count('class="timeline__entry ') == len(events_of(client, told.ref))
    filtered = page(client, f"/incidents/{told.ref}/timeline", role="principal").text
    assert filtered.count('class="timeline__entry ') == 2
    assert '<option value="principal" selected>' in filtered
    assert f"/api/v1/incidents/{told.ref}/timeline.csv?role=principal" in filtered
    refused = page(client, f"/incidents/{told.ref}/timeline", kind="nonsense")
    assert refused.status_code == 422 and "no kind of event called" in refused.text
    assert page(client, "/incidents/INC-2026-9999/timeline").status_code == 404


def test_the_replay_page_shows_a_task_as_it_stood_without_any_script(client, told):
    call = told.call
    done_html = page(client, f"/incidents/{told.ref}/replay", version=6).text
    assert 'data-version="6"' in done_html
    assert f'id="task-{call}" data-task="{call}" data-status="done"' in done_html
    assert "What changed since version 5" in done_html
    assert '<ins class="changes__to">Done</ins>' in done_html
    before = page(client, f"/incidents/{told.ref}/replay", version=4).text
    assert f'id="task-{call}" data-task="{call}" data-status="todo"' in before
    assert 'data-action="complete"' not in before  # read-only: no task buttons
    latest = page(client, f"/incidents/{told.ref}/replay").text
    assert f'data-version="{len(events_of(client, told.ref))}"' in latest


def test_the_replay_page_jumps_to_a_time_in_district_time(client, told):
    events = events_of(client, told.ref)
    sixth = datetime.fromisoformat(events[5]["at"]).astimezone(client.app.state.settings.zone())
    local = (sixth + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%S")
    html = page(client, f"/incidents/{told.ref}/replay", at=local).text
    assert 'data-version="6"' in html and "this is the last change recorded by then" in html


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"version": "99"}, "version 99 is beyond the stream"),
        ({"version": "0"}, "whole number from 1"),
        ({"version": "six"}, "is not a version number"),
        ({"at": "2000-01-01T00:00"}, "there is nothing to show at"),
        ({"at": "soon"}, "is not a moment"),
    ],
)
def test_the_replay_page_explains_a_moment_it_cannot_show(client, told, query, message):
    response = page(client, f"/incidents/{told.ref}/replay", **query)
    assert response.status_code == 422 and message in response.text
    assert 'id="replay-version"' in response.text  # the scrubber stays, to choose again


def test_the_report_has_summary_tasks_by_phase_follow_ups_timeline_and_review(client, told):
    steady = client.app.state.steady
    steady.close_incident(told.ref, "Recovery plan handed to the school.", actor=LEAD)
    response = page(client, f"/incidents/{told.ref}/report")
    assert response.status_code == 200
    html = response.text
    for section in ("Summary", "Review summary", "Open follow-ups", "Tasks by phase", "Timeline"):
        assert f">{section}" in html
    assert "Recovery plan handed to the school." in html
    assert "k.okafor (counselor)" in html  # who completed a task
    assert 'id="print-report" hidden' in html
    css = client.get("/static/steady.css").text
    assert "@media print" in css


def test_pages_ask_you_to_sign_in_first(client, told):
    client.cookies.clear()
    for path in ("timeline", "replay", "report"):
        response = client.get(f"/incidents/{told.ref}/{path}", follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == f"/signin?next=/incidents/{told.ref}/{path}"


def test_the_report_shows_set_aside_tasks_apart_from_done_and_open_ones(client, told):
    steady = client.app.state.steady
    aside, carried = (
        steady.add_task(told.ref, title=title, owner_role="counselor", actor=LEAD).detail["task_id"]
        for title in ("Check the buses", "Meet the family again")
    )
    steady.change_task_status(
        told.ref, aside, "not_applicable", reason="No buses run on Saturday.", actor=LEAD
    )
    closed = steady.close_incident(
        told.ref,
        "Handed over.",
        task_outcomes={carried: "follow_up"},
        actor=LEAD,
    )
    follow_up = closed.detail["follow_up"]
    progress = steady.incident(told.ref).progress()  # the story carried its own tasks before
    html = page(client, f"/incidents/{told.ref}/report").text
    assert (
        f'id="report-task-counts">{progress.done} done, 1 not applicable, '
        f"{progress.carried} carried into a follow-up, 0 open, of {progress.total}<"
    ) in html
    assert "Not applicable: No buses run on Saturday." in html
    assert f'Carried into <a href="/incidents/{follow_up}">{follow_up}</a>' in html
    assert 'Open follow-ups <span class="muted">(0)</span>' in html
    assert "No task is left open." in html
