"""A playbook step with `kinds` becomes a task only on incidents of those kinds: the lockdown or
threat playbook gives a threat entrance screening that a plain lockdown does not get."""

import json
from pathlib import Path

import pytest

from domain.errors import DomainError
from playbooks.library import Library
from service.incidents.application import Steady
from tests.builders import LEAD
from web.playbooks.pages import playbook_for_page

PLAYBOOK = "lockdown-or-threat"


def opened(app: Steady, kind: str) -> str:
    return app.open_incident(
        title=f"A {kind} at Roosevelt",
        kind=kind,
        severity=1,
        schools=["Roosevelt High School"],
        actor=LEAD,
    ).reference


def step_ids_applied(kind: str, library: Library | None = None, playbook: str = PLAYBOOK) -> set:
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}, playbooks=library)
    ref = opened(app, kind)
    app.apply_playbook(ref, playbook, actor=LEAD)
    return {task.step_id for task in app.incident(ref).tasks.values()}


def test_a_threat_gets_the_security_plan_and_entrance_screening():
    steps = step_ids_applied("threat")
    assert {"security-plan", "entrance-screening"} <= steps
    every_step = {step.id for _, step in Library.load().get(PLAYBOOK).steps()}
    assert steps == every_step  # a threat is the kind that gets every step


def test_a_lockdown_gets_the_security_plan_but_no_entrance_screening():
    steps = step_ids_applied("lockdown")
    assert "security-plan" in steps
    assert "entrance-screening" not in steps
    every_step = {step.id for _, step in Library.load().get(PLAYBOOK).steps()}
    assert steps == every_step - {"entrance-screening"}


def test_the_playbook_applied_event_keeps_its_stored_shape():
    # Events are kept forever: leaving steps out must not change what the event stores.
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = opened(app, "threat")
    app.apply_playbook(ref, PLAYBOOK, actor=LEAD)
    incident = app.repository.get(app.find(ref))
    [applied] = [e for e in app.events.get(incident.id) if type(e).__name__ == "PlaybookApplied"]
    state = json.loads(app.mapper.to_stored_event(applied).state)
    assert state["class_version"] == 3
    assert all("kinds" not in task for task in state["tasks"])


DISTRICT = """\
id = "district-threat"
title = "District threat"
version = 1
kinds = ["lockdown", "threat"]
summary = "A district playbook for tests."

[[measures]]
id = "screened"
title = "Time to screening"
to = "screen"

[[measures]]
id = "told"
title = "Time to the family message"
to = "tell-families"

[[roles]]
id = "crisis-lead"
title = "Crisis team lead"

[[phases]]
phase = "response"
goal = "Respond."

[[phases.steps]]
id = "tell-families"
title = "Tell families"
instructions = "Message every family."
owner = "crisis-lead"
due = "1 hour"
stakeholder = "families-and-communities"
component = "crisis-support"

[[phases.steps]]
id = "debrief"
title = "Debrief staff"
instructions = "Meet staff."
owner = "crisis-lead"
due = "1 day"
stakeholder = "all-staff"
component = "crisis-support"

[[phases.steps]]
id = "screen"
title = "Screen entrances"
instructions = "Staff every entrance."
owner = "crisis-lead"
due = "1 day"
stakeholder = "students"
component = "crisis-support"
kinds = ["threat"]
"""


@pytest.fixture
def district(tmp_path: Path) -> Library:
    (tmp_path / "district-threat.toml").write_text(DISTRICT, encoding="utf-8")
    return Library.load(tmp_path)


def test_a_step_for_some_kinds_is_left_out_elsewhere_with_its_measure(district):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}, playbooks=district)
    ref = opened(app, "lockdown")
    app.apply_playbook(ref, "district-threat", actor=LEAD)
    incident = app.incident(ref)
    assert {task.step_id for task in incident.tasks.values()} == {"tell-families", "debrief"}
    # A measure to a step the incident did not get would read "not recorded" for ever.
    assert [m["id"] for m in incident.playbooks[0].measures] == ["told"]


def test_steps_without_kinds_apply_to_an_incident_the_playbook_is_not_for(district):
    # A lead may apply any playbook; its steps for every kind come, those for named kinds do not.
    assert step_ids_applied("other", district, "district-threat") == {"tell-families", "debrief"}


def test_a_playbook_with_no_step_for_the_incident_kind_is_refused_saying_so(tmp_path):
    text = DISTRICT.replace('kinds = ["lockdown", "threat"]', 'kinds = ["threat"]')
    for stakeholder in ("families-and-communities", "all-staff"):
        line = f'stakeholder = "{stakeholder}"\n'
        text = text.replace(line, line + 'kinds = ["threat"]\n')
    (tmp_path / "district-threat.toml").write_text(text, encoding="utf-8")
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}, playbooks=Library.load(tmp_path))
    ref = opened(app, "other")
    with pytest.raises(DomainError, match="no steps for incidents of kind 'other'"):
        app.apply_playbook(ref, "district-threat", actor=LEAD)


def test_the_library_shows_which_kinds_a_step_is_for():
    # Read by the API, the playbook page and a browser check counting a lockdown's tasks.
    view = playbook_for_page(Library.load().get(PLAYBOOK))
    steps = {step["id"]: step for phase in view["phases"] for step in phase["steps"]}
    assert steps["entrance-screening"]["kinds"] == ["threat"]
    assert steps["entrance-screening"]["kind_labels"] == ["Threat or report of a weapon"]
    assert steps["security-plan"]["kinds"] == [] and steps["security-plan"]["kind_labels"] == []
