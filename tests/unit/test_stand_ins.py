"""A partner organisation standing in for a playbook role: the rules on the organisation, one
partner a role, and what applying a playbook then does to the incident (over the in-memory
store)."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.organisation import Organisation
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.sharing import StandIn
from domain.task import TaskPlan
from service.accounts.service import Accounts, organisation_view
from service.incidents.application import Steady
from tests.builders import LEAD

ADMIN = Actor("cli:root", "admin")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ROLE = "partner-mental-health"
ROLES = {ROLE: "Community mental-health partner", "counselor": "School counselor"}
EASTSIDE = StandIn("eastside-counseling", "Eastside Counseling")


def partner(slug: str = "eastside-counseling", kind: str = "partner") -> Organisation:
    return Organisation.create(slug=slug, name=slug.title(), kind=kind, actor=ADMIN, at=NOW)


@pytest.fixture
def accounts() -> Accounts:
    steady = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=lambda: NOW)
    accounts = Accounts(steady)
    accounts.add_organisation("riverside-usd", "Riverside USD", "district", actor=ADMIN)
    accounts.add_organisation("eastside-counseling", "Eastside Counseling", "partner", actor=ADMIN)
    accounts.add_organisation("westside-clinic", "Westside Clinic", "partner", actor=ADMIN)
    return accounts


def incident(*roles: str) -> Incident:
    opened = Incident.open(
        reference="INC-2026-0001",
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Jefferson Middle School"],
        summary="",
        occurred_at=NOW - timedelta(hours=1),
        actor=LEAD,
        at=NOW,
    )
    steps = [TaskPlan(f"Step {i}", "", Phase.RESPONSE, role, None) for i, role in enumerate(roles)]
    opened.apply_playbook(
        playbook_id="p", version=1, content_hash="", title="P", steps=steps, actor=LEAD, at=NOW
    )
    return opened


# -- the organisation -------------------------------------------------------------------------


def test_a_partner_stands_in_for_a_playbook_role_and_the_stand_in_ends_as_an_event():
    organisation = partner()
    organisation.stand_in(" Partner-Mental-Health ", roles=ROLES, actor=ADMIN, at=NOW)
    assert organisation.stands_in == [ROLE]
    organisation.end_stand_in(ROLE, actor=ADMIN, at=NOW)
    assert organisation.stands_in == []
    events = organisation.collect_events()
    assert [e.NAME for e in events] == [
        "organisation_created",
        "organisation_stands_in",
        "organisation_stand_in_ended",
    ]
    assert events[1].by == ADMIN


def test_an_unknown_role_or_an_organisation_that_is_not_a_partner_is_refused_clearly():
    with pytest.raises(DomainError, match=r"no playbook has a role 'grief-team'.*partner-mental"):
        partner().stand_in("grief-team", roles=ROLES, actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="is a school, not a partner organisation"):
        partner("lincoln-elementary", "school").stand_in(ROLE, roles=ROLES, actor=ADMIN, at=NOW)
    organisation = partner()
    organisation.stand_in(ROLE, roles=ROLES, actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="already stands in"):
        organisation.stand_in(ROLE, roles=ROLES, actor=ADMIN, at=NOW)
    with pytest.raises(DomainError, match="does not stand in for 'counselor'"):
        organisation.end_stand_in("counselor", actor=ADMIN, at=NOW)


def test_a_second_partner_for_the_same_role_is_refused_until_the_first_one_ends(accounts):
    accounts.stand_in("eastside-counseling", ROLE, actor=ADMIN)
    with pytest.raises(DomainError, match=r"Eastside Counseling \(eastside-counseling\) already"):
        accounts.stand_in("westside-clinic", ROLE, actor=ADMIN)
    assert accounts.organisation("westside-clinic").stands_in == []
    assert {r: s.organisation for r, s in accounts.steady.stand_ins().items()} == {
        ROLE: "eastside-counseling"
    }
    accounts.end_stand_in("eastside-counseling", ROLE, actor=ADMIN)
    assert accounts.steady.stand_ins() == {}
    accounts.stand_in("westside-clinic", ROLE, actor=ADMIN)
    assert accounts.steady.stand_ins() == {ROLE: StandIn("westside-clinic", "Westside Clinic")}
    assert organisation_view(accounts.organisation("westside-clinic"))["stands_in"] == [ROLE]


def test_the_service_refuses_an_unknown_organisation_role_or_the_district(accounts):
    with pytest.raises(NotFound, match="no organisation 'nowhere'"):
        accounts.stand_in("nowhere", ROLE, actor=ADMIN)
    with pytest.raises(DomainError, match="no playbook has a role"):
        accounts.stand_in("eastside-counseling", "grief-team", actor=ADMIN)
    with pytest.raises(DomainError, match="not a partner organisation"):
        accounts.stand_in("riverside-usd", ROLE, actor=ADMIN)
    assert accounts.steady.stand_ins() == {}


def test_auditors_read_stand_ins_among_the_changes_to_organisations(accounts):
    accounts.stand_in("eastside-counseling", ROLE, actor=ADMIN)
    accounts.end_stand_in("eastside-counseling", ROLE, actor=ADMIN)
    changes = [c for c in accounts.changes() if c["type"].startswith("organisation_stand")]
    assert [(c["organisation"], c["details"]) for c in changes] == [
        ("eastside-counseling", {"role": ROLE}),
        ("eastside-counseling", {"role": ROLE}),
    ]
    assert changes[0]["summary"] == (
        "cli:root (admin) let eastside-counseling stand in for the playbook role "
        "partner-mental-health"
    )


# -- the incident -----------------------------------------------------------------------------


def test_handing_tasks_to_stand_ins_shares_first_then_assigns_each_task_of_the_role():
    handled = incident("counselor", ROLE, "counselor", ROLE)
    handover = handled.hand_to_stand_ins(
        ["T1", "T2", "T3", "T4"], {ROLE: EASTSIDE}, actor=LEAD, at=NOW
    )
    assert handover.tasks == {EASTSIDE.organisation: ["T2", "T4"]}
    assert handover.shared_with == [EASTSIDE.organisation]
    assert handled.shares == {EASTSIDE.organisation: EASTSIDE.name}
    assert handled.tasks["T2"].assignee == Assignee("partner", EASTSIDE.organisation)
    assert handled.tasks["T1"].assignee is None
    events = handled.collect_events()[-3:]
    assert [e.NAME for e in events] == ["incident_shared", "task_assigned", "task_assigned"]
    assert {e.by for e in events} == {LEAD}


def test_a_partner_whose_share_a_lead_ended_is_not_brought_back():
    handled = incident(ROLE)
    handled.share(EASTSIDE.organisation, EASTSIDE.name, actor=LEAD, at=NOW)
    handled.end_share(EASTSIDE.organisation, reason="family asked", actor=LEAD, at=NOW)
    handover = handled.hand_to_stand_ins(["T1"], {ROLE: EASTSIDE}, actor=LEAD, at=NOW)
    assert handover.tasks == {} and handover.held_back == {EASTSIDE.organisation: ["T1"]}
    assert handled.shares == {} and handled.tasks["T1"].assignee is None
    # Shared again by a lead, it takes the role's tasks once more.
    handled.share(EASTSIDE.organisation, EASTSIDE.name, actor=LEAD, at=NOW)
    assert handled.hand_to_stand_ins(["T1"], {ROLE: EASTSIDE}, actor=LEAD, at=NOW).tasks == {
        EASTSIDE.organisation: ["T1"]
    }


def test_applying_a_playbook_gives_the_stand_in_its_tasks_in_the_same_save(accounts):
    steady = accounts.steady
    accounts.stand_in("eastside-counseling", ROLE, actor=ADMIN)
    ref = steady.open_incident(
        title="Death of a student", kind="death", severity=2,
        schools=["Jefferson Middle School"], actor=LEAD,
    ).reference  # fmt: skip
    applied = steady.apply_playbook(ref, "death-of-student-or-staff", actor=LEAD)
    playbook = steady.playbooks.get("death-of-student-or-staff")
    expected = [
        f"T{n}" for n, (_, step) in enumerate(playbook.steps(), start=1) if step.owner == ROLE
    ]
    assert expected and applied.detail["partner_tasks"] == {"eastside-counseling": expected}
    assert applied.detail["shared_with"] == ["eastside-counseling"]
    events = steady.incident_events(ref)
    assert [e.type for e in events] == [
        "incident_opened",
        "playbook_applied",
        "incident_shared",
        *["task_assigned"] * len(expected),
    ]
    assert {e.event.by for e in events[1:]} == {LEAD}
    # One save: the playbook and the hand-over are one version step apart, no one in between.
    assert applied.version == 2 + 1 + len(expected)
    before = steady.incident_at_version(ref, 1)
    assert before.shares == {} and before.tasks == {}


def test_without_a_stand_in_a_playbook_leaves_its_tasks_with_the_roles(accounts):
    steady = accounts.steady
    ref = steady.open_incident(
        title="Death of a student", kind="death", severity=2,
        schools=["Jefferson Middle School"], actor=LEAD,
    ).reference  # fmt: skip
    applied = steady.apply_playbook(ref, "death-of-student-or-staff", actor=LEAD)
    assert applied.detail["partner_tasks"] == {} and applied.version == 2
    assert steady.incident(ref).shares == {}
