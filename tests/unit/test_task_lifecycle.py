"""A task set aside or rescheduled, and an incident closed with open tasks: the rules a lead
relies on, checked before anything is recorded."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, InvalidValue
from domain.follow_up import open_follow_up
from domain.incident import Incident
from domain.incident_state import incident_from, record_of
from domain.incident_tasks import TaskOutcome
from domain.people import Assignee
from domain.phase import Phase
from domain.task import Status, TaskPlan
from tests.builders import LEAD

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DUE = NOW + timedelta(hours=1)


def incident_with(*titles: str) -> Incident:
    incident = Incident.open(
        reference="INC-2026-0001",
        title="Lockdown",
        kind="lockdown",
        severity=2,
        schools=["Roosevelt High School"],
        summary="",
        occurred_at=NOW,
        actor=LEAD,
        at=NOW,
    )
    for title in titles:
        incident.add_task(TaskPlan(title, "", Phase.RESPONSE, "counselor", DUE), actor=LEAD, at=NOW)
    return incident


@pytest.mark.parametrize("start", [Status.TODO, Status.IN_PROGRESS, Status.BLOCKED])
def test_an_open_task_becomes_not_applicable_with_a_reason_and_is_neither_open_nor_done(start):
    incident = incident_with("Call the bus company")
    if start != Status.TODO:
        incident.change_task_status("T1", start, reason="waiting", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="say why task T1 'Call the bus company' does not apply"):
        incident.change_task_status("T1", Status.NOT_APPLICABLE, actor=LEAD, at=NOW)
    incident.change_task_status("T1", Status.NOT_APPLICABLE, reason="No buses", actor=LEAD, at=NOW)
    later = DUE + timedelta(days=1)
    assert incident.open_tasks() == [] and incident.overdue_tasks(later) == []
    assert str(incident.progress()) == "0 done, 1 not applicable, of 1"


def test_a_task_not_applicable_only_reopens_to_do_with_a_reason():
    incident = incident_with("Call the bus company")
    incident.change_task_status("T1", Status.NOT_APPLICABLE, reason="No buses", actor=LEAD, at=NOW)
    for to in (Status.IN_PROGRESS, Status.DONE, Status.BLOCKED):
        with pytest.raises(DomainError, match="is not applicable; reopen it"):
            incident.change_task_status("T1", to, reason="x", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="being reopened"):
        incident.change_task_status("T1", Status.TODO, actor=LEAD, at=NOW)
    incident.change_task_status("T1", Status.TODO, reason="A bus came", actor=LEAD, at=NOW)
    assert incident.task("T1").times_reopened == 1 and incident.open_tasks()


def test_rescheduling_keeps_the_first_due_time_and_needs_a_new_time_and_a_reason():
    incident = incident_with("Meet the family")
    later, latest = DUE + timedelta(days=2), DUE + timedelta(days=4)
    with pytest.raises(DomainError, match="say why task T1 'Meet the family' is rescheduled"):
        incident.reschedule_task("T1", later, reason=" ", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match=r"is already due .*give a new due time"):
        incident.reschedule_task("T1", DUE, reason="same", actor=LEAD, at=NOW)
    with pytest.raises(InvalidValue, match="due_at must be a date and time with a time zone"):
        incident.reschedule_task("T1", later.replace(tzinfo=None), reason="x", actor=LEAD, at=NOW)
    with pytest.raises(InvalidValue, match="outside the dates Steady accepts"):
        incident.reschedule_task("T1", later.replace(year=2200), reason="x", actor=LEAD, at=NOW)
    incident.reschedule_task("T1", later, reason="Family away", actor=LEAD, at=NOW)
    incident.reschedule_task("T1", latest, reason="Still away", actor=LEAD, at=NOW)
    task = incident.task("T1")
    assert (task.due_at, task.original_due_at, task.times_rescheduled) == (latest, DUE, 2)
    assert task.reschedule_reason == "Still away"


@pytest.mark.parametrize("settled", [Status.DONE, Status.NOT_APPLICABLE])
def test_a_settled_task_is_not_rescheduled(settled):
    incident = incident_with("Meet the family")
    incident.change_task_status("T1", settled, reason="x", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="only open work is rescheduled"):
        incident.reschedule_task("T1", DUE + timedelta(days=1), reason="x", actor=LEAD, at=NOW)


def test_closing_with_open_tasks_needs_an_outcome_for_each():
    incident = incident_with("Call the family", "Debrief staff", "Check the gate")
    incident.change_task_status("T3", Status.DONE, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match=r"has 2 open tasks \(T1, T2\): say what becomes of each"):
        incident.close("Reviewed", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match=r"has 1 open task \(T2\): say what becomes of it"):
        incident.close("Reviewed", outcomes={"T1": TaskOutcome.DONE}, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="T3 'Check the gate' is done now, not open"):
        incident.close("Reviewed", all_open=TaskOutcome.DONE, outcomes={"T3": TaskOutcome.DONE},
                       actor=LEAD, at=NOW)  # fmt: skip
    with pytest.raises(DomainError, match="need the follow-up's reference"):
        incident.close("Reviewed", all_open=TaskOutcome.FOLLOW_UP, actor=LEAD, at=NOW)
    assert not incident.closed and len(incident.pending_events) == 5  # nothing more recorded
    incident.close(
        "Reviewed",
        all_open=TaskOutcome.NOT_APPLICABLE,
        outcomes={"T1": TaskOutcome.DONE},
        actor=LEAD,
        at=NOW,
    )
    assert [incident.task(t).status for t in ("T1", "T2")] == [Status.DONE, Status.NOT_APPLICABLE]
    assert [e.NAME for e in incident.pending_events[-3:]] == [
        "task_status_changed",
        "task_status_changed",
        "incident_closed",
    ]
    assert str(incident.progress()) == "2 done, 1 not applicable, of 3"


def test_carried_tasks_go_on_in_a_follow_up_that_keeps_who_may_see_them():
    incident = incident_with("Call the family", "Debrief staff")
    incident.assign_task("T2", Assignee("partner", "eastside"), actor=LEAD, at=NOW)
    incident.share("eastside", "Eastside Counseling", actor=LEAD, at=NOW)
    incident.share("foodbank", "Food Bank", actor=LEAD, at=NOW)
    incident.mark_confidential(reason="one family", actor=LEAD, at=NOW)
    incident.add_to_case_team("k.okafor", actor=LEAD, at=NOW)
    carried = incident.close(
        "Reviewed", all_open=TaskOutcome.FOLLOW_UP, follow_up="INC-2026-0002", actor=LEAD, at=NOW
    )
    follow_up = open_follow_up(incident, carried, reference="INC-2026-0002", actor=LEAD, at=NOW)
    assert carried == ["T1", "T2"] and incident.follow_ups == ["INC-2026-0002"]
    assert incident.open_tasks() == [] and incident.overdue_tasks(DUE + timedelta(days=1)) == []
    with pytest.raises(DomainError, match="carried into INC-2026-0002 when this incident closed"):
        incident.reopen("More to do", actor=LEAD, at=NOW)
        incident.change_task_status("T1", Status.DONE, actor=LEAD, at=NOW)
    assert follow_up.follows == "INC-2026-0001" and follow_up.title == "Follow-up: Lockdown"
    assert [t.carried_from for t in follow_up.tasks.values()] == [
        "INC-2026-0001 T1",
        "INC-2026-0001 T2",
    ]
    assert follow_up.task("T2").assignee == Assignee("partner", "eastside")
    assert follow_up.task("T1").due_at == DUE and follow_up.task("T1").status == Status.TODO
    # Only the partner whose task goes on is let in; the confidential mark and case team follow.
    assert follow_up.shares == {"eastside": "Eastside Counseling"}
    assert follow_up.marked_confidential and follow_up.case_team == ["k.okafor"]
    for each in (incident, follow_up):
        each.collect_events()  # as saved: a snapshot holds no pending events
        assert incident_from(each.id, each.version, record_of(each)) == each


def test_a_follow_up_title_stays_within_the_limit():
    incident = incident_with("Call the family")
    incident.title = "x" * 200
    follow_up = open_follow_up(incident, ["T1"], reference="INC-2026-0002", actor=LEAD, at=NOW)
    assert len(follow_up.title) == 200 and follow_up.title.startswith("Follow-up: xxx")
