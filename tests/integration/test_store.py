"""Persistence, idempotency, concurrency and the feed, on real SQLite and real PostgreSQL."""

import multiprocessing
from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import Conflict, DomainError, NotFound
from domain.reference import ReferenceSequence
from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.as_json import incident_view
from service.incidents.idempotency import KeyReused
from tests.builders import COUNSELOR, LEAD, open_lockdown
from tests.integration import writers

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def test_an_incident_reads_back_the_same_from_a_new_process(app, database_url):
    ref = open_lockdown(app)
    app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD)
    app.change_task_status(ref, "T1", "done", note="All rooms accounted for", actor=COUNSELOR)
    app.add_note(ref, "Reunification at the church on Elm Street", actor=LEAD)
    before = app.incident(ref)

    again = open_steady(Settings(database_url=database_url))
    after = again.incident(ref)
    again.close()
    assert after.version == before.version == 4
    assert after.task("T1").done_note == "All rooms accounted for"
    assert after.playbooks[0].id == "lockdown-or-threat"
    assert after.playbooks[0].content_hash.startswith("sha256:")
    assert len(after.tasks) == len(before.tasks) > 5


def test_a_repeated_command_with_the_same_key_appends_nothing(app):
    first = app.open_incident(
        title="Storm damage",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary"],
        actor=LEAD,
        idempotency_key="open-1",
    )
    again = app.open_incident(
        title="Storm damage",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary"],
        actor=LEAD,
        idempotency_key="open-1",
    )
    assert again == first
    assert first.position is not None
    note = app.add_note(first.reference, "Roof leak in the gym", actor=LEAD, idempotency_key="n-1")
    position = app.last_position()
    assert (
        app.add_note(first.reference, "Roof leak in the gym", actor=LEAD, idempotency_key="n-1")
        == note
    )
    assert app.last_position() == position
    assert [i.reference for i in app.incidents()] == [first.reference]
    assert app.incident(first.reference).version == 2


def test_a_key_reused_for_a_different_request_is_refused(app):
    ref = open_lockdown(app)
    app.add_note(ref, "first", actor=LEAD, idempotency_key="k")
    with pytest.raises(KeyReused, match="already used for a different request"):
        app.add_note(ref, "second", actor=LEAD, idempotency_key="k")
    assert len(app.incident(ref).notes) == 1


def test_two_processes_updating_different_tasks_both_succeed(app, database_url):
    ref = open_lockdown(app)
    app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD)
    ids = list(app.incident(ref).tasks)[:12]
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(2) as pool:
        results = [
            pool.apply_async(writers.complete_tasks, (database_url, ref, ids[0::2], start)),
            pool.apply_async(writers.complete_tasks, (database_url, ref, ids[1::2], start)),
        ]
        start.set()
        assert [r.get(timeout=60) for r in results] == [6, 6]
    incident = app.incident(ref)
    assert [incident.task(i).status.value for i in ids] == ["done"] * 12
    assert incident.version == 2 + 12


def test_references_stay_unique_and_sequential_when_two_processes_open_at_once(app, database_url):
    context = multiprocessing.get_context("spawn")
    start = context.Manager().Event()
    with context.Pool(2) as pool:
        results = [
            pool.apply_async(writers.open_incidents, (database_url, 8, start)) for _ in range(2)
        ]
        start.set()
        references = [ref for r in results for ref in r.get(timeout=60)]
    year = references[0][4:8]
    assert sorted(references) == [f"INC-{year}-{n:04d}" for n in range(1, 17)]


def test_a_change_based_on_a_stale_version_names_what_changed(app):
    ref = open_lockdown(app)
    app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD)
    seen = app.incident(ref).version
    app.change_task_status(ref, "T2", "done", note="Called 911", actor=COUNSELOR)
    # A different task changed since: no conflict.
    app.change_task_status(ref, "T3", "in_progress", actor=LEAD, based_on_version=seen)
    with pytest.raises(
        Conflict,
        match=r"task T2 .* changed after version 2: task status changed by k.okafor \(counselor\)",
    ):
        app.change_task_status(ref, "T2", "in_progress", actor=LEAD, based_on_version=seen)
    assert app.incident(ref).task("T2").status.value == "done"


def test_the_feed_lists_every_incident_event_once_in_order(app):
    first = open_lockdown(app, idempotency_key="a")
    second = open_lockdown(app)
    app.add_note(first, "one", actor=LEAD)
    app.add_note(second, "two", actor=LEAD)
    app.change_severity(first, 2, reason="No weapon found", actor=LEAD)
    feed = app.events_after(0, 100)
    assert [(e.reference, e.type) for e in feed] == [
        (first, "incident_opened"),
        (second, "incident_opened"),
        (first, "note_added"),
        (second, "note_added"),
        (first, "severity_changed"),
    ]
    positions = [e.position for e in feed]
    assert positions == sorted(set(positions))
    assert app.events_after(positions[1], 2) == feed[2:4]
    assert app.events_after(positions[-1], 10) == []
    assert feed[0].actor == {"user": "m.alvarez", "role": "crisis-lead"}
    assert feed[4].as_dict()["data"] == {"severity": 2, "reason": "No weapon found"}


def test_incident_events_carry_their_global_positions(app):
    ref = open_lockdown(app)
    app.add_note(ref, "one", actor=LEAD)
    events = app.incident_events(ref)
    assert [e.version for e in events] == [1, 2]
    assert [e.position for e in events] == [e.position for e in app.events_after(0, 10)]


def test_replay_by_version_and_by_moment(app):
    ref = open_lockdown(app)
    opened_at = app.incident(ref).created_on
    app.change_severity(ref, 2, actor=LEAD, at=opened_at + timedelta(minutes=30))
    app.change_severity(ref, 3, actor=LEAD, at=opened_at + timedelta(minutes=60))
    assert app.incident_at_version(ref, 2).severity == 2
    assert app.incident_at_time(ref, opened_at + timedelta(minutes=45)).severity == 2
    assert app.incident_at_time(ref, opened_at).severity == 1
    with pytest.raises(DomainError, match="has 3 events; version 4 is beyond the stream"):
        app.incident_at_version(ref, 4)
    with pytest.raises(DomainError, match="there is nothing to show at"):
        app.incident_at_time(ref, opened_at - timedelta(seconds=1))


def test_listing_open_or_all_incidents_by_school(app):
    lockdown = open_lockdown(app)
    storm = app.open_incident(
        title="Storm",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary", "Jefferson Middle School"],
        actor=LEAD,
    ).reference
    app.close_incident(storm, "Building reopened; no injuries.", actor=LEAD)
    assert [i.reference for i in app.incidents()] == [lockdown]
    assert [i.reference for i in app.incidents(include_closed=True)] == [storm, lockdown]
    assert [
        i.reference for i in app.incidents(include_closed=True, school="lincoln elementary")
    ] == [storm]


def test_unknown_references_say_what_is_missing(app):
    with pytest.raises(NotFound, match="there is no incident INC-2026-9999"):
        app.incident("INC-2026-9999")
    with pytest.raises(NotFound, match="is not an incident reference"):
        app.incident("lockdown")
    open_lockdown(app)
    sequence_id = str(ReferenceSequence.id_for(app.clock().year))
    with pytest.raises(NotFound, match="there is no incident"):
        app.incident(sequence_id)  # an id of something else in the store is not an incident


def test_the_board_is_derived_state_rebuilt_from_the_log(app, database_url):
    lockdown = open_lockdown(app)
    app.apply_playbook(lockdown, "lockdown-or-threat", actor=LEAD)
    app.change_task_status(lockdown, "T1", "done", actor=COUNSELOR)
    storm = app.open_incident(
        title="Storm", kind="severe-weather", severity=3, schools=["Lincoln Elementary"], actor=LEAD
    ).reference
    before = app.incidents(include_closed=True)
    app.close_incident(storm, "Building reopened.", actor=LEAD)
    # What a reader got earlier is not changed under it; the next read sees the change.
    assert [i.closed for i in before] == [False, False]
    assert [i.reference for i in app.incidents()] == [lockdown]

    fresh = open_steady(Settings(database_url=database_url))  # nothing in memory: from the log
    rebuilt = fresh.incidents(include_closed=True)
    fresh.close()
    loaded = [app.repository.get(i.id) for i in rebuilt]
    assert [incident_view(i, NOW) for i in rebuilt] == [incident_view(i, NOW) for i in loaded]
    assert rebuilt[1].task("T1").status.value == "done" and rebuilt[0].closed
