"""Rules a crisis team expects of an incident, checked before anything is recorded."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from domain.errors import DomainError, InvalidValue, NotFound
from domain.incident import Incident
from domain.incident_tasks import TaskOutcome
from domain.people import Assignee
from domain.phase import Phase
from domain.task import Status, TaskPlan
from tests.builders import COUNSELOR, LEAD

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def open_incident(**overrides) -> Incident:
    fields = dict(
        reference="INC-2026-0001",
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Jefferson Middle School"],
        summary="",
        occurred_at=NOW - timedelta(hours=2),
        actor=LEAD,
        at=NOW,
    )
    fields.update(overrides)
    return Incident.open(**fields)


def with_task(incident: Incident, title: str = "Call the family") -> str:
    plan = TaskPlan(title, "", Phase.RESPONSE, "principal", NOW + timedelta(hours=1))
    return incident.add_task(plan, actor=LEAD, at=NOW)


def test_opened_incident_records_who_opened_it_and_when():
    incident = open_incident()
    event = incident.pending_events[0]
    assert event.actor == {"user": "m.alvarez", "role": "crisis-lead"}
    assert event.timestamp == NOW
    assert incident.phase == Phase.RESPONSE
    assert incident.reference == "INC-2026-0001"
    assert incident.id == Incident.id_for("inc-2026-0001")


@pytest.mark.parametrize("severity", [0, 5, "2", 2.0, True, None])
def test_severity_outside_one_to_four_is_refused(severity):
    with pytest.raises(DomainError, match="severity must be a whole number from 1 to 4"):
        open_incident(severity=severity)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "  ", "title must not be empty"),
        ("title", "x" * 201, "keep it under 200"),
        ("kind", "earthquake", "unknown incident kind 'earthquake'"),
        ("schools", [], "name at least one school"),
        ("occurred_at", NOW + timedelta(hours=1), "is in the future"),
        ("occurred_at", datetime(2026, 11, 23, 8, 0), "must include a time zone"),
    ],
)
def test_opening_with_bad_fields_says_what_to_fix(field, value, message):
    with pytest.raises(DomainError, match=message):
        open_incident(**{field: value})


def test_task_moves_through_its_statuses_and_records_notes_and_reasons():
    incident = open_incident()
    task_id = with_task(incident)
    incident.change_task_status(task_id, Status.IN_PROGRESS, actor=COUNSELOR, at=NOW)
    incident.change_task_status(
        task_id, Status.BLOCKED, reason="No answer", actor=COUNSELOR, at=NOW
    )
    incident.change_task_status(
        task_id, Status.DONE, note="Spoke with the mother", actor=COUNSELOR, at=NOW
    )
    task = incident.task(task_id)
    assert (task.status, task.done_note, task.updated_by) == (
        Status.DONE,
        "Spoke with the mother",
        COUNSELOR,
    )
    incident.change_task_status(
        task_id, Status.TODO, reason="Family asked for a second call", actor=LEAD, at=NOW
    )
    assert incident.task(task_id).status == Status.TODO
    assert incident.task(task_id).times_reopened == 1


def test_blocking_needs_a_reason_and_reopening_a_done_task_needs_one_too():
    incident = open_incident()
    task_id = with_task(incident)
    with pytest.raises(DomainError, match="say why task T1 is blocked"):
        incident.change_task_status(task_id, Status.BLOCKED, actor=COUNSELOR, at=NOW)
    incident.change_task_status(task_id, Status.DONE, actor=COUNSELOR, at=NOW)
    with pytest.raises(DomainError, match="being reopened"):
        incident.change_task_status(task_id, Status.TODO, actor=COUNSELOR, at=NOW)
    with pytest.raises(DomainError, match="is done; reopen it"):
        incident.change_task_status(task_id, Status.IN_PROGRESS, actor=COUNSELOR, at=NOW)


def test_status_change_on_a_missing_task_names_the_task():
    incident = open_incident()
    with pytest.raises(NotFound, match="INC-2026-0001 has no task 'T9'"):
        incident.change_task_status("T9", Status.DONE, actor=COUNSELOR, at=NOW)


def test_setting_the_same_status_again_is_refused():
    incident = open_incident()
    task_id = with_task(incident)
    with pytest.raises(DomainError, match="already to do"):
        incident.change_task_status(task_id, Status.TODO, actor=COUNSELOR, at=NOW)


def test_closed_incident_refuses_every_change_except_reopening():
    incident = open_incident()
    task_id = with_task(incident)
    incident.close(
        "Response complete; follow-ups handed to the school team.",
        all_open=TaskOutcome.NOT_APPLICABLE,
        actor=LEAD,
        at=NOW,
    )
    attempts = [
        lambda: incident.change_task_status(task_id, Status.TODO, reason="x", actor=LEAD, at=NOW),
        lambda: incident.add_note("late note", actor=LEAD, at=NOW),
        lambda: incident.change_severity(1, reason="", actor=LEAD, at=NOW),
        lambda: incident.advance_phase(Phase.RECOVERY, actor=LEAD, at=NOW),
        lambda: incident.assign_task(task_id, Assignee("role", "nurse"), actor=LEAD, at=NOW),
        lambda: with_task(incident),
        lambda: incident.close("again", actor=LEAD, at=NOW),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError, match="is closed; reopen it"):
            attempt()
    incident.reopen("Family raised a new concern", actor=LEAD, at=NOW)
    assert not incident.closed
    incident.add_note("Reopened after the family's call", actor=LEAD, at=NOW)


def test_closing_needs_a_review_summary_and_reopening_needs_a_reason():
    incident = open_incident()
    with pytest.raises(DomainError, match="review summary must not be empty"):
        incident.close(" ", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="only a closed incident can be reopened"):
        incident.reopen("why", actor=LEAD, at=NOW)
    incident.close("done", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="reason for reopening must not be empty"):
        incident.reopen("", actor=LEAD, at=NOW)


def test_phases_only_move_forward_except_by_reopening():
    incident = open_incident()
    incident.advance_phase(Phase.RECOVERY, actor=LEAD, at=NOW)
    for phase in (Phase.RESPONSE, Phase.STABILIZATION, Phase.RECOVERY):
        with pytest.raises(DomainError, match="phases only move forward"):
            incident.advance_phase(phase, actor=LEAD, at=NOW)
    incident.close("done", actor=LEAD, at=NOW)
    incident.reopen("Anniversary planning", phase=Phase.STABILIZATION, actor=LEAD, at=NOW)
    assert incident.phase == Phase.STABILIZATION


def test_the_same_playbook_is_not_applied_twice():
    incident = open_incident()
    steps = [TaskPlan("Verify the facts", "", Phase.RESPONSE, "crisis-lead", NOW)]
    ids = incident.apply_playbook(
        playbook_id="death-of-student-or-staff",
        version=1,
        content_hash="sha256:ab",
        title="Death",
        steps=steps,
        actor=LEAD,
        at=NOW,
    )
    assert ids == ["T1"]
    with pytest.raises(DomainError, match="already applied to INC-2026-0001"):
        incident.apply_playbook(
            playbook_id="death-of-student-or-staff",
            version=2,
            content_hash="sha256:cd",
            title="Death",
            steps=steps,
            actor=LEAD,
            at=NOW,
        )


def test_a_corrected_note_keeps_the_original_and_points_to_the_correction():
    incident = open_incident()
    first = incident.add_note("Support room in 114", actor=COUNSELOR, at=NOW)
    second = incident.correct_note(
        first, "Support room in 214", reason="wrong room", actor=COUNSELOR, at=NOW
    )
    assert incident.notes[first].text == "Support room in 114"
    assert incident.notes[first].corrected_by == second
    assert incident.notes[second].corrects == first
    assert [n.id for n in incident.current_notes()] == [second]
    with pytest.raises(DomainError, match=f"correct {second} instead"):
        incident.correct_note(first, "again", reason="x", actor=COUNSELOR, at=NOW)
    with pytest.raises(NotFound, match="no note N9"):
        incident.correct_note("N9", "x", reason="x", actor=COUNSELOR, at=NOW)


def test_assignment_to_role_person_or_partner():
    incident = open_incident()
    task_id = with_task(incident)
    incident.assign_task(task_id, Assignee("partner", "Eastside Counseling"), actor=LEAD, at=NOW)
    assert str(incident.task(task_id).assignee) == "Eastside Counseling (partner)"
    with pytest.raises(DomainError, match="already assigned"):
        incident.assign_task(
            task_id, Assignee("partner", "Eastside Counseling"), actor=LEAD, at=NOW
        )
    with pytest.raises(DomainError, match="assign to one of role, person, partner"):
        Assignee("team", "x")


def test_event_times_never_run_backwards_within_an_incident():
    incident = open_incident()
    incident.add_note("clock skew", actor=LEAD, at=NOW - timedelta(minutes=3))
    assert incident.pending_events[-1].timestamp == NOW


def test_overdue_counts_only_unfinished_tasks_past_due():
    incident = open_incident()
    late = with_task(incident, "late")
    with_task(incident, "also late")
    incident.change_task_status(late, Status.DONE, actor=LEAD, at=NOW)
    assert [t.title for t in incident.overdue_tasks(NOW + timedelta(hours=2))] == ["also late"]
    assert str(incident.progress()) == "1 done, of 2"


FAR_PAST = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))
FAR_FUTURE = datetime.max.replace(tzinfo=timezone(timedelta(hours=-14)))


@pytest.mark.parametrize("when", [FAR_PAST, datetime(1969, 12, 31, 23, 59, tzinfo=UTC)])
def test_a_moment_before_1970_is_refused_naming_the_field_and_the_range(when):
    with pytest.raises(InvalidValue, match=r"occurred_at .* from 1970-01-01 to 2100-01-01") as e:
        open_incident(occurred_at=when)
    assert e.value.field == "occurred_at"
    with pytest.raises(InvalidValue, match=r"at .* from 1970-01-01 to 2100-01-01") as e:
        open_incident(occurred_at=NOW, at=when)
    assert e.value.field == "at"


@pytest.mark.parametrize("due", [FAR_PAST, FAR_FUTURE, datetime(2100, 1, 1, 0, 1, tzinfo=UTC)])
def test_a_due_time_outside_1970_to_2100_is_refused_naming_due_at(due):
    incident = open_incident()
    plan = TaskPlan("Call the family", "", Phase.RESPONSE, "principal", due)
    with pytest.raises(InvalidValue, match=r"due_at .* from 1970-01-01 to 2100-01-01") as e:
        incident.add_task(plan, actor=LEAD, at=NOW)
    assert e.value.field == "due_at"
    with pytest.raises(InvalidValue, match="due_at"):
        incident.apply_playbook(
            playbook_id="p",
            version=1,
            content_hash="h",
            title="P",
            steps=[plan],
            actor=LEAD,
            at=NOW,
        )
    assert not incident.tasks


def test_the_ends_of_the_range_are_accepted():
    incident = open_incident(occurred_at=datetime(1970, 1, 1, tzinfo=UTC))
    plan = TaskPlan("Review", "", Phase.MONITORING, "principal", datetime(2100, 1, 1, tzinfo=UTC))
    assert incident.add_task(plan, actor=LEAD, at=NOW) == "T1"


INVISIBLE = ["\u200b", "\u200d", "\ufeff", "\x00", " \u200b\t\n", "\u2060\u180e", "\u3164"]


@pytest.mark.parametrize("text", INVISIBLE)
def test_text_of_only_invisible_characters_is_empty_and_says_what_to_write(text):
    with pytest.raises(DomainError, match="title must not be empty: write"):
        open_incident(title=text)
    incident = open_incident()
    with pytest.raises(DomainError, match="note must not be empty: write"):
        incident.add_note(text, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="task title must not be empty: write"):
        with_task(incident, text)
    with pytest.raises(DomainError, match="name at least one school"):
        open_incident(schools=[text])


@pytest.mark.parametrize("text", ["Call\x00 the family", "Call\x1b[31m", "Call\x7f", "a\x85b"])
def test_control_characters_in_free_text_are_refused_naming_the_field(text):
    with pytest.raises(DomainError, match="title holds a control character"):
        open_incident(title=text)
    incident = open_incident()
    with pytest.raises(DomainError, match="note holds a control character"):
        incident.add_note(text, actor=LEAD, at=NOW)
    task_id = with_task(incident)
    with pytest.raises(DomainError, match="reason holds a control character"):
        incident.change_task_status(task_id, Status.BLOCKED, reason=text, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="holds a control character"):
        incident.assign_task(task_id, Assignee("person", text), actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="school holds a control character"):
        open_incident(schools=[text])


def test_notes_keep_their_lines_and_tabs_and_titles_keep_their_emoji_and_joiners():
    incident = open_incident(title="Storm 🌩 at 👨\u200d👩\u200d👧 day", summary="a\r\n\tb")
    assert incident.title == "Storm 🌩 at 👨\u200d👩\u200d👧 day"
    assert incident.summary == "a\n\tb"  # a browser's CRLF is one newline
    note = incident.add_note("Room 114\n\t- water\r\n\t- tissues", actor=LEAD, at=NOW)
    assert incident.notes[note].text == "Room 114\n\t- water\n\t- tissues"
    # A single line has no room for a line break: it reads as a space.
    assert open_incident(title="Lockdown\nEast wing").title == "Lockdown East wing"
    # Optional text that is only invisible is recorded as nothing.
    task_id = with_task(incident)
    incident.change_task_status(task_id, Status.DONE, note="\u200b", actor=LEAD, at=NOW)
    assert incident.task(task_id).done_note == ""
