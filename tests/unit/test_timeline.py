"""The timeline tells each event in plain language, with what was true when it happened."""

import csv
import io
from datetime import UTC, timedelta

import pytest

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.people import Actor
from service.incidents.application import Steady
from service.live.feed_events import to_feed_event
from service.timelines.reading import CSV_COLUMNS, EVENT_KINDS, Timelines, narrate, timeline_csv
from tests.builders import LEAD, START, ZONE, Story, story


@pytest.fixture(scope="module")
def told() -> Story:
    return story()


def texts(entries: list[dict]) -> list[str]:
    return [e["text"] for e in entries]


def test_every_event_is_told_in_order_in_plain_language(told):
    entries = Timelines(told.app).timeline(told.ref, zone=ZONE)
    call = f"{told.call} 'Call the family'"
    # The playbook's version and its second step come from the library as it is now.
    applied = told.app.incident(told.ref).playbooks[0]
    t2 = f"T2 '{told.app.incident(told.ref).tasks['T2'].title}'"
    open_at_close = [f"T{n}" for n in range(1, told.playbook_tasks + 2)]
    assert [e["version"] for e in entries] == list(range(1, 17))
    positions = [e["position"] for e in entries]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    assert texts(entries) == [
        f"m.alvarez (crisis-lead) opened {told.ref} 'Lockdown after a report of a weapon' "
        "at Roosevelt High School: Lockdown or secure, severity 1 (critical)",
        f"m.alvarez (crisis-lead) applied playbook 'Lockdown or threat' v{applied.version} "
        f"({told.playbook_tasks} tasks)",
        f"m.alvarez (crisis-lead) added {call} (response, owner counselor)",
        f"m.alvarez (crisis-lead) assigned {call} to k.okafor (person)",
        f"k.okafor (counselor) started {call}",
        f"k.okafor (counselor) completed {call}: spoke with the mother, follow-up Friday",
        f"d.chen (principal) blocked {t2}: Waiting for police",
        f"d.chen (principal) resumed {t2}",
        f"k.okafor (counselor) added note N1 about {call}: 'Support room in 114'",
        "k.okafor (counselor) corrected note N1: 'Support room in 114' → 'Support room in 214' "
        "(wrong room)",
        "m.alvarez (crisis-lead) changed severity from 1 (critical) to 2 (high): No weapon found",
        f"k.okafor (counselor) reopened {call}: The family asked for a second call",
        "m.alvarez (crisis-lead) moved the incident from response to stabilization",
        f"m.alvarez (crisis-lead) carried {told.playbook_tasks + 1} open tasks into follow-up "
        f"incident INC-2026-0002: {', '.join(open_at_close)}",
        "m.alvarez (crisis-lead) closed the incident: Safe dismissal; debrief held.",
        "m.alvarez (crisis-lead) reopened the incident in recovery: Family asked to meet",
    ]


def test_times_are_in_district_time_with_the_zone_named(told):
    first = Timelines(told.app).timeline(told.ref, zone=ZONE)[0]
    assert first["at_text"] == "Mon 23 Nov 2026, 14:02:31 CST"
    assert first["at"] == "2026-11-23T14:02:31-06:00"
    assert first["actor"] == {"user": "m.alvarez", "role": "crisis-lead"}
    assert first["type"] == "incident_opened" and first["task_id"] is None


def test_a_correction_shows_the_original_what_replaced_it_and_when(told):
    entries = Timelines(told.app).timeline(told.ref, zone=ZONE)
    added = next(e for e in entries if e["type"] == "note_added")
    corrected = next(e for e in entries if e["type"] == "note_corrected")
    assert corrected["note_id"] == "N2" and corrected["note_text"] == "Support room in 214"
    assert corrected["corrects"] == {
        "note_id": "N1",
        "original_text": "Support room in 114",
        "original_at": added["at"],
        "original_at_text": added["at_text"],
        "original_by": {"user": "k.okafor", "role": "counselor"},
        "reason": "wrong room",
        "original_version": added["version"],
    }
    assert added["corrected_by"]["note_id"] == "N2"
    assert added["corrected_by"]["at"] == corrected["at"]
    # The original entry still tells what was written then.
    assert added["text"].endswith("'Support room in 114'")
    # A note about a task belongs to that task.
    assert added["task_id"] == corrected["task_id"] == told.call


def test_phases_are_the_tasks_for_task_events_and_the_incidents_otherwise(told):
    entries = {e["version"]: e for e in Timelines(told.app).timeline(told.ref, zone=ZONE)}
    assert entries[6]["phase"] == "response"  # the call task's phase
    assert entries[11]["phase"] == "response"  # severity changed while in response
    assert entries[13]["phase"] == "stabilization"  # the phase it moved into
    assert entries[14]["phase"] == "stabilization"  # its open tasks carried over as it closed
    assert entries[16]["phase"] == "recovery"  # reopened into recovery


def test_filters_by_task_role_phase_and_kind(told):
    app, ref = told.app, told.ref
    by_task = Timelines(app).timeline(ref, zone=ZONE, task=told.call)
    assert [e["type"] for e in by_task] == [
        "task_added",
        "task_assigned",
        "task_status_changed",
        "task_status_changed",
        "note_added",
        "note_corrected",
        "task_status_changed",
    ]
    # A playbook's task starts with the playbook that created it.
    assert [e["type"] for e in Timelines(app).timeline(ref, zone=ZONE, task="t2")] == [
        "playbook_applied",
        "task_status_changed",
        "task_status_changed",
    ]
    by_role = Timelines(app).timeline(ref, zone=ZONE, role="principal")
    assert {e["actor"]["user"] for e in by_role} == {"d.chen"} and len(by_role) == 2
    later = Timelines(app).timeline(ref, zone=ZONE, phase="stabilization")
    assert [e["type"] for e in later] == ["phase_advanced", "tasks_carried_over", "incident_closed"]
    kinds = Timelines(app).timeline(ref, zone=ZONE, kind="note_corrected", role="counselor")
    assert [e["version"] for e in kinds] == [10]
    timelines = Timelines(app)
    unfiltered = timelines.timeline(ref, zone=ZONE, task="", role="", phase="", kind="")
    assert unfiltered == timelines.timeline(ref, zone=ZONE)


def test_unknown_filter_values_give_nothing_but_an_unknown_kind_is_refused(told):
    app, ref = told.app, told.ref
    assert Timelines(app).timeline(ref, zone=ZONE, task="T999") == []
    assert Timelines(app).timeline(ref, zone=ZONE, role="janitor") == []
    assert Timelines(app).timeline(ref, zone=ZONE, phase="nowhere") == []
    with pytest.raises(DomainError) as refused:
        Timelines(app).timeline(ref, zone=ZONE, kind="task_deleted")
    assert "task_deleted" in str(refused.value)
    for kind in EVENT_KINDS:
        assert kind in str(refused.value)
    with pytest.raises(NotFound):
        Timelines(app).timeline("INC-2026-9999", zone=ZONE)


def test_csv_has_one_row_per_entry_in_the_named_columns(told):
    entries = Timelines(told.app).timeline(told.ref, zone=ZONE)
    rows = list(csv.reader(io.StringIO(timeline_csv(entries))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == len(entries) + 1
    for row, entry in zip(rows[1:], entries, strict=True):
        record = dict(zip(CSV_COLUMNS, row, strict=True))
        assert record["position"] == str(entry["position"])
        assert record["version"] == str(entry["version"])
        assert record["at"] == entry["at"]
        assert record["user"] == entry["actor"]["user"]
        assert record["role"] == entry["actor"]["role"]
        assert record["type"] == entry["type"]
        assert record["task_id"] == (entry["task_id"] or "")
        assert record["phase"] == entry["phase"]
        assert record["text"] == entry["text"]


def test_csv_cells_never_run_as_spreadsheet_formulas():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Threat", kind="lockdown", severity=2, schools=["Lincoln Elementary"], actor=LEAD
    ).reference
    app.add_note(ref, "Noted", actor=Actor('=HYPERLINK("x")', "@role"))
    rows = list(csv.reader(io.StringIO(timeline_csv(Timelines(app).timeline(ref, zone=ZONE)))))
    assert rows[2][3] == '\'=HYPERLINK("x")' and rows[2][4] == "'@role"


class Archived(Incident.Event):
    """A kind of event the timeline has no sentence for (as a newer release might add)."""

    NAME = "incident_archived"


def test_a_kind_of_event_without_a_sentence_is_still_told_by_its_name(told):
    events = told.app.incident_events(told.ref)
    incident = told.app.incident(told.ref)
    incident.trigger_event(
        Archived,
        timestamp=START + timedelta(days=1),
        actor=LEAD.as_dict(),
        previous_hash=incident.chain_head,
        event_hash="",
    )
    archived = to_feed_event(events[-1].position + 1, told.ref, incident.collect_events()[0])
    entries = narrate([*events, archived], ZONE)
    assert len(entries) == len(events) + 1
    assert entries[-1]["text"] == "m.alvarez (crisis-lead) recorded incident archived"
    assert entries[-1]["phase"] == "recovery" and entries[-1]["task_id"] is None


def test_a_recorded_milestone_is_told_at_its_moment_in_district_time():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Student at risk",
        kind="self-harm-risk",
        severity=2,
        schools=["Lincoln Elementary"],
        actor=LEAD,
        at=START,
    ).reference
    app.apply_playbook(ref, "self-harm-or-suicide-risk", actor=LEAD, at=START)
    discharged = (START + timedelta(days=1)).astimezone(UTC)  # stored in UTC, told in Chicago
    app.record_milestone(ref, "discharge", discharged, actor=LEAD, at=START + timedelta(days=1))
    entries = Timelines(app).timeline(ref, zone=ZONE)
    told = entries[-1]["text"]
    assert told.startswith(
        "m.alvarez (crisis-lead) recorded 'Student discharged from hospital or care' at "
        "Tue 24 Nov 2026, 14:02:31 CST: "
    )
    rows = list(csv.reader(io.StringIO(timeline_csv(entries))))
    assert rows[-1][CSV_COLUMNS.index("text")] == told
