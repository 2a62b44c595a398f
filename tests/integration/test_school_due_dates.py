"""Applying playbooks on a school's clock: district time, each school's hours, shared steps laid
out once whichever playbook comes first, and tasks that wait for a milestone."""

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from litestar.testing import TestClient

from domain.errors import DomainError
from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from service.incidents.application import Steady
from service.incidents.as_json import incident_view
from tests.builders import FAST_HASHER, bearer
from web.app import create_app

CHICAGO = ZoneInfo("America/Chicago")
LEAD = Actor("m.alvarez", "crisis-lead")
ADMIN = Actor("admin", "admin")
FRIDAY_7PM = datetime(2026, 11, 20, 19, 0, tzinfo=CHICAGO)


def step(step_id: str, due: str, stakeholder: str = "schools-and-staff", extra: str = "") -> str:
    return f"""
[[phases.steps]]
id = "{step_id}"
title = "{step_id.replace("-", " ").capitalize()}"
instructions = "Do it."
owner = "crisis-lead"
due = "{due}"
stakeholder = "{stakeholder}"
component = "crisis-support"
{extra}"""


def playbook(playbook_id: str, top: str, steps: str) -> str:
    return f"""id = "{playbook_id}"
title = "{playbook_id.replace("-", " ").capitalize()}"
version = 1
kinds = ["death"]
summary = "For tests."
{top}
[[roles]]
id = "crisis-lead"
title = "Crisis team lead"

[[phases]]
phase = "response"
goal = "Respond."
{steps}"""


DEATH = playbook(
    "death-test",
    'used_with = ["recovery-test"]\n\n[[measures]]\nid = "report-written"\n'
    'title = "Time to write the report"\nto = "write-report"\ntarget = "8 hours"\n\n'
    '[[measures]]\nid = "family-called"\ntitle = "Time to call the family"\nto = "call-family"\n',
    step("write-report", "8 hours")
    + step("staff-meeting", "before school starts", "all-staff")
    + step("end-of-day-debrief", "by the end of the school day", "all-staff")
    + step("call-family", "1 day", "families-and-communities")
    + step("first-day-back", "next school morning"),
)
RECOVERY = playbook(
    "recovery-test",
    'used_with = ["death-test"]\n\n[[milestones]]\nid = "discharge"\n'
    'title = "Student discharged from hospital"\n',
    step("check-in", "7 days", "all-staff")
    + step("family-visit", "2 days", "families-and-communities")
    + step("welcome-back", "1 day", extra='same_as = "death-test:first-day-back"\n')
    + step("re-entry-meeting", "1 school day, before school starts", extra='from = "discharge"\n')
    + step("week-after-return", "5 school days", extra='from = "discharge"\n'),
)


@pytest.fixture
def steady(tmp_path: Path, sqlite_url: str) -> Iterator[Steady]:
    district = tmp_path / "playbooks"
    district.mkdir()
    (district / "death.toml").write_text(DEATH)
    (district / "recovery.toml").write_text(RECOVERY)
    app = open_steady(Settings(database_url=sqlite_url, playbooks_dir=district))
    accounts = Accounts(app)
    accounts.add_organisation("lincoln-elementary", "Lincoln Elementary", "school", actor=ADMIN)
    accounts.add_organisation("roosevelt-high", "Roosevelt High School", "school", actor=ADMIN)
    accounts.set_school_hours("lincoln-elementary", "07:45", "14:30", actor=ADMIN)
    accounts.set_school_hours("roosevelt-high", "08:30", "15:45", actor=ADMIN)
    yield app
    app.close()


def open_at(app: Steady, *schools: str, occurred_at: datetime = FRIDAY_7PM) -> str:
    return app.open_incident(
        title="Death of a student",
        kind="death",
        severity=2,
        schools=list(schools),
        occurred_at=occurred_at,
        actor=LEAD,
        at=occurred_at,
    ).reference


def due_by_step(app: Steady, ref: str) -> dict[str, str | None]:
    return {
        t.step_id: t.due_at.astimezone(CHICAGO).strftime("%a %H:%M") if t.due_at else None
        for t in app.incident(ref).tasks.values()
    }


def test_a_friday_evening_report_is_due_on_the_schools_own_monday_hours(steady):
    ref = open_at(steady, "Lincoln Elementary")
    steady.apply_playbook(ref, "death-test", actor=LEAD, at=FRIDAY_7PM)
    assert due_by_step(steady, ref) == {
        "write-report": "Sat 03:00",  # clock hours run through the night
        "staff-meeting": "Mon 07:45",  # Lincoln starts at 07:45
        "end-of-day-debrief": "Mon 14:30",
        "call-family": "Sat 19:00",
        "first-day-back": "Mon 08:45",
    }


def test_an_incident_at_two_schools_keeps_the_earliest_start_and_end(steady):
    ref = open_at(steady, "Roosevelt High School", "lincoln-elementary")
    steady.apply_playbook(ref, "death-test", actor=LEAD, at=FRIDAY_7PM)
    due = due_by_step(steady, ref)
    assert (due["staff-meeting"], due["end-of-day-debrief"]) == ("Mon 07:45", "Mon 14:30")
    alone = open_at(steady, "Roosevelt High School")
    steady.apply_playbook(alone, "death-test", actor=LEAD, at=FRIDAY_7PM)
    due = due_by_step(steady, alone)
    assert (due["staff-meeting"], due["end-of-day-debrief"]) == ("Mon 08:30", "Mon 15:45")


def test_a_school_that_is_no_organisation_has_the_default_school_day(steady):
    ref = open_at(steady, "Hillside Middle School")
    steady.apply_playbook(ref, "death-test", actor=LEAD, at=FRIDAY_7PM)
    assert due_by_step(steady, ref)["staff-meeting"] == "Mon 08:00"


@pytest.mark.parametrize(
    "order", [("death-test", "recovery-test"), ("recovery-test", "death-test")]
)
def test_steps_shared_by_playbooks_used_together_are_laid_out_once_in_either_order(steady, order):
    ref = open_at(steady, "Lincoln Elementary")
    first, second = order
    steady.apply_playbook(ref, first, actor=LEAD, at=FRIDAY_7PM)
    before = set(steady.incident(ref).tasks)
    applied = steady.apply_playbook(ref, second, actor=LEAD, at=FRIDAY_7PM)
    incident = steady.incident(ref)
    assert len(incident.tasks) == 5 + 5 - 1
    steps = sorted((t.playbook_id, t.step_id) for t in incident.tasks.values())
    assert ("death-test", "first-day-back") in steps or ("recovery-test", "welcome-back") in steps
    assert not {("death-test", "first-day-back"), ("recovery-test", "welcome-back")} <= set(steps)
    # The second playbook's event says which task already stands for its shared step.
    (shared_task,) = incident.playbooks[1].shared.values()
    assert shared_task in before and shared_task not in applied.detail["task_ids"]
    view = incident_view(incident, FRIDAY_7PM)
    first_title = first.replace("-", " ").capitalize()
    assert view["playbooks"][1]["shared"] == [{"title": first_title, "steps": 1}]


def test_a_task_waits_for_its_milestone_and_is_rescheduled_when_it_is_recorded_again(steady):
    ref = open_at(steady, "Lincoln Elementary")
    steady.apply_playbook(ref, "recovery-test", actor=LEAD, at=FRIDAY_7PM)
    due = due_by_step(steady, ref)
    assert (due["re-entry-meeting"], due["week-after-return"]) == (None, None)
    waiting = {
        t["step_id"]: t["waiting_for"]
        for t in incident_view(steady.incident(ref), FRIDAY_7PM)["task_list"]
    }
    assert waiting["re-entry-meeting"] == "Student discharged from hospital"
    assert waiting["check-in"] == ""

    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=CHICAGO)
    recorded = steady.record_milestone(ref, "discharge", tuesday, actor=LEAD, at=tuesday)
    assert len(recorded.detail["task_ids"]) == 2
    due = due_by_step(steady, ref)
    assert (due["re-entry-meeting"], due["week-after-return"]) == ("Wed 07:45", "Tue 10:00")
    re_entry = next(
        t for t in steady.incident(ref).tasks.values() if t.step_id == "re-entry-meeting"
    )
    steady.change_task_status(ref, re_entry.id, "done", actor=LEAD, at=tuesday)

    thursday = datetime(2026, 11, 26, 9, 0, tzinfo=CHICAGO)
    with pytest.raises(DomainError, match="say why it is recorded again"):
        steady.record_milestone(ref, "discharge", thursday, actor=LEAD, at=thursday)
    steady.record_milestone(
        ref, "discharge", thursday, reason="Discharge was postponed", actor=LEAD, at=thursday
    )
    due = due_by_step(steady, ref)
    # The done task keeps its due date; the one not done yet counts from the new moment.
    assert (due["re-entry-meeting"], due["week-after-return"]) == ("Wed 07:45", "Thu 09:00")
    assert steady.incident(ref).milestones["discharge"].reason == "Discharge was postponed"


def test_only_a_milestone_of_an_applied_playbook_can_be_recorded(steady):
    ref = open_at(steady, "Lincoln Elementary")
    steady.apply_playbook(ref, "death-test", actor=LEAD, at=FRIDAY_7PM)
    with pytest.raises(DomainError, match=r"has no milestone 'discharge'.*declare none"):
        steady.record_milestone(ref, "discharge", FRIDAY_7PM, actor=LEAD, at=FRIDAY_7PM)


def test_school_hours_are_set_only_for_schools_and_end_after_they_start(steady):
    accounts = Accounts(steady)
    accounts.add_organisation("eastside", "Eastside Counseling", "partner", actor=ADMIN)
    with pytest.raises(DomainError, match="only a school has school hours"):
        accounts.set_school_hours("eastside", "08:00", "15:00", actor=ADMIN)
    with pytest.raises(DomainError, match="must end after it starts"):
        accounts.set_school_hours("lincoln-elementary", "14:30", "07:45", actor=ADMIN)
    assert str(accounts.organisation("lincoln-elementary").school_hours) == "07:45 to 14:30"


def test_the_api_records_a_milestone_and_the_report_shows_measures_and_due_against_done(
    steady, tmp_path
):
    accounts = Accounts(steady, hasher=FAST_HASHER)
    seed_demo_accounts(accounts)
    lead = accounts.account("m.alvarez")
    token = accounts.issue_token("m.alvarez", "tests", actor=lead.acting_as())
    settings = Settings(database_url="sqlite://", playbooks_dir=tmp_path / "playbooks")
    ref = open_at(steady, "Lincoln Elementary")
    steady.apply_playbook(ref, "death-test", actor=LEAD, at=FRIDAY_7PM)
    steady.apply_playbook(ref, "recovery-test", actor=LEAD, at=FRIDAY_7PM)
    report_task = next(
        t for t in steady.incident(ref).tasks.values() if t.step_id == "write-report"
    )
    saturday_4am = datetime(2026, 11, 21, 4, 10, tzinfo=CHICAGO)
    steady.change_task_status(ref, report_task.id, "done", actor=LEAD, at=saturday_4am)
    with TestClient(create_app(steady, settings, accounts=accounts)) as client:
        headers = bearer(token)
        path = f"/api/v1/incidents/{ref}/milestones"
        body = {"milestone_id": "discharge", "moment": "2026-11-24T10:00"}  # district time
        answer = client.post(path, json=body, headers=headers)
        assert answer.status_code == 201, answer.text
        again = client.post(path, json=body, headers=headers)
        assert again.status_code == 422 and "say why it is recorded again" in again.text
        unknown = client.post(path, json=body | {"milestone_id": "dischrage"}, headers=headers)
        assert unknown.status_code == 422 and "discharge (Student discharged" in unknown.text

        html = client.get(f"/incidents/{ref}/report", headers=headers).text
    measures = html[html.index('id="report-measures"') : html.index('id="report-review"')]
    assert "Time to write the report" in measures and "9 h 10 min" in measures
    assert "(missed)" in measures  # the target was 8 hours
    assert "Time to call the family" in measures and "Not recorded" in measures
    row = html[html.index(f'id="task-{report_task.id}"') :]
    row = row[: row.index("</tr>")]
    assert "late by 1 h 10 min" in row
