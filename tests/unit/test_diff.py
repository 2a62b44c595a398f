"""The difference between two versions, per task and per note; applied to A it gives B."""

import json
from datetime import datetime
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from service.incidents.application import Steady
from service.incidents.diff import apply_diff, diff_incident, diff_views, is_empty, views_at
from tests.builders import story
from tests.unit.test_replay_property import commands, run_all


@pytest.fixture(scope="module")
def told():
    return story()


def views_for(app: Steady, ref: str, diff: dict) -> tuple[dict, dict]:
    as_of = datetime.fromisoformat(diff["as_of"])
    a, b = views_at(app, ref, [diff["from"], diff["to"]], as_of)
    return a, b


def test_applying_the_diff_of_any_two_versions_to_the_first_gives_the_second(told):
    app, ref = told.app, told.ref
    latest = app.incident(ref).version
    for a, b in product(range(1, latest + 1), repeat=2):
        diff = json.loads(json.dumps(diff_incident(app, ref, a, b)))  # survives JSON
        view_a, view_b = views_for(app, ref, diff)
        assert apply_diff(view_a, diff["changes"]) == view_b, (a, b)
        assert view_a == views_for(app, ref, diff)[0], "apply_diff changed the view it was given"
        assert [e["version"] for e in diff["events"]] == list(range(min(a, b) + 1, max(a, b) + 1))
        assert is_empty(diff["changes"]) == (a == b)


def test_a_completed_task_shows_as_one_changed_task(told):
    app, ref, call = told.app, told.ref, told.call
    diff = diff_incident(app, ref, 5, 6)
    assert diff["direction"] == "forward" and [e["type"] for e in diff["events"]] == [
        "task_status_changed"
    ]
    tasks = diff["changes"]["tasks"]
    assert tasks["added"] == {} and tasks["removed"] == {}
    assert list(tasks["changed"]) == [call]
    change = tasks["changed"][call]
    assert change["status"] == {"from": "in_progress", "to": "done"}
    assert change["done_note"] == {"from": "", "to": "spoke with the mother, follow-up Friday"}
    fields = diff["changes"]["fields"]
    assert fields["version"] == {"from": 5, "to": 6}
    assert fields["tasks"]["to"]["done"] == fields["tasks"]["from"]["done"] + 1


def test_going_backwards_removes_what_was_added_since(told):
    app, ref = told.app, told.ref
    diff = diff_incident(app, ref, 3, 1)
    assert diff["direction"] == "backward"
    removed = diff["changes"]["tasks"]["removed"]
    assert len(removed) == told.playbook_tasks + 1 and told.call in removed
    assert diff["changes"]["tasks"]["added"] == {}
    corrected = diff_incident(app, ref, 9, 10)["changes"]["notes"]
    assert list(corrected["added"]) == ["N2"]
    assert corrected["changed"]["N1"]["corrected_by"] == {"from": "", "to": "N2"}


def test_overdue_flags_do_not_change_just_because_time_passed(told):
    # An hour passes between versions 2 and 13 and many tasks fall due meanwhile. Both views are
    # drawn at one moment, so a task's overdue flag changes only with what events did to it.
    app, ref = told.app, told.ref
    diff = diff_incident(app, ref, 2, 13)  # 13: before the close carried the open tasks over
    changed = diff["changes"]["tasks"]["changed"]
    assert set(changed) == {"T2"}  # T2 was blocked and resumed; the call task was added after 2
    assert "overdue" not in changed["T2"]
    a, b = views_for(app, ref, diff)
    assert a["tasks"]["overdue"] > 0 and diff["as_of"] == b["last_activity_at"]


def test_versions_outside_the_stream_are_refused_with_the_applications_message(told):
    app, ref = told.app, told.ref
    latest = app.incident(ref).version
    with pytest.raises(DomainError, match=f"version {latest + 1} is beyond the stream"):
        diff_incident(app, ref, 1, latest + 1)
    with pytest.raises(DomainError, match="whole number from 1"):
        diff_incident(app, ref, 0, 2)
    with pytest.raises(DomainError, match="whole number from 1"):
        diff_incident(app, ref, True, 2)


def test_order_is_kept_when_items_come_back_in_another_order():
    a = {"id": "x", "task_list": [{"id": "T1"}, {"id": "T2"}], "notes": []}
    b = {"id": "x", "task_list": [{"id": "T2"}, {"id": "T3"}, {"id": "T1"}], "notes": []}
    assert apply_diff(a, diff_views(a, b)) == b
    assert apply_diff(b, diff_views(b, a)) == a
    extra = {"id": "x", "extra": 1, "task_list": [], "notes": []}
    assert apply_diff(extra, diff_views(extra, a)) == a
    assert apply_diff(a, diff_views(a, extra)) == extra


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=20), st.data())
def test_diff_then_apply_gives_the_later_state_for_any_history(sequence, data):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = run_all(app, sequence)
    latest = app.incident(ref).version
    versions = st.integers(min_value=1, max_value=latest)
    a, b = data.draw(versions), data.draw(versions)
    diff = diff_incident(app, ref, a, b)
    view_a, view_b = views_for(app, ref, diff)
    assert apply_diff(view_a, diff["changes"]) == view_b
