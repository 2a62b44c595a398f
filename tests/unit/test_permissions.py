"""Every role against every action, against the matrix written out by hand from the issue."""

from datetime import UTC, datetime

import pytest

from domain.account import Account
from domain.organisation import Organisation
from domain.people import Actor
from domain.roles import ROLES
from service.access.permissions import (
    ACTIONS,
    MATRIX,
    Forbidden,
    Scope,
    can,
    matrix_markdown,
    may_own_follow_ups,
    may_record_check_in,
    may_update_task,
    require,
    scopes,
)

ADMIN = Actor("cli:root", "admin")
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)

# Columns: admin, crisis-lead, responder, district-leader, partner, auditor, help-desk.
# "y" anywhere, "school" the incidents of their schools (or named to them), "own" own tasks / own
# notes, "shared" within what is shared, "-" never.
EXPECTED = """
view_board       -  y  school  y    shared  y  -
view_incident    -  y  school  y    shared  y  -
open_incident    -  y  -    -    -       -  -
close_incident   -  y  -    -    -       -  -
reopen_incident  -  y  -    -    -       -  -
apply_playbook   -  y  -    -    -       -  -
assign_task      -  y  -    -    -       -  -
update_task      -  y  own  -    shared  -  -
replan_task      -  y  -    -    -       -  -
add_note         -  y  school  y    shared  -  -
correct_note     -  y  own  own  own     -  -
change_severity  -  y  -    -    -       -  -
advance_phase    -  y  -    -    -       -  -
share_incident   -  y  -    -    -       -  -
restrict_incident  -  y  -  -    -       -  -
replay           -  y  -    y    -       y  -
view_timeline    -  y  school  y    -       y  -
export           -  y  -    y    -       y  -
verify           -  y  -    y    -       y  -
view_audit_log   -  -  -    -    -       y  -
view_summary     -  y  -    y    -       y  -
manage_accounts  y  -  -    -    -       -  -
view_calendar    y  y  -    y    -       y  -
import_calendar  y  -  -    -    -       -  -
import_roster    y  -  -    -    -       -  -
record_check_in  -  y  own  -    shared  -  -
view_people      -  y  school  y    shared  y  -
record_people    -  y  school  -    -       -  -
triage           -  y  school  -    -       -  -
refer            -  y  school  -    -       -  -
update_referral  -  y  school  -    shared  -  -
view_identity    -  y  own  -    shared  -  -
share_identity   -  y  -    -    -       -  -
erase_identity   y  -  -    -    -       -  -
view_help_requests    -  y  -    y    -       y  y
work_help_requests    -  y  -    -    -       -  y
convert_help_request  -  y  -    -    -       -  y
view_routed_help      -  -  -    -    shared  -  -
view_reunification    -  y  school  y  -       y  -
run_reunification     -  y  school  y  -       -  -
decide_reunification  -  y  school  -  -       -  -
record_review         -  y  -    -    -       -  -
view_drill_log        -  y  school  y    -       y  -
view_accounting       -  y  school  y    -       y  -
account_for_class     -  y  own  -    -       -  -
"""
COLUMNS = [
    "admin", "crisis-lead", "responder", "district-leader", "partner", "auditor", "help-desk"
]  # fmt: skip
MARKS = {
    "y": Scope.ALL,
    "school": Scope.SCHOOL,
    "own": Scope.OWN,
    "shared": Scope.SHARED,
    "-": None,
}
TABLE = {
    (role, line.split()[0]): MARKS[mark]
    for line in EXPECTED.strip().splitlines()
    for role, mark in zip(COLUMNS, line.split()[1:], strict=True)
}
WRITES = {
    "open_incident",
    "close_incident",
    "reopen_incident",
    "apply_playbook",
    "assign_task",
    "update_task",
    "replan_task",
    "add_note",
    "correct_note",
    "change_severity",
    "advance_phase",
    "share_incident",
    "restrict_incident",
    "manage_accounts",
    "import_calendar",
    "import_roster",
    "record_check_in",
    "record_people",
    "triage",
    "refer",
    "update_referral",
    "share_identity",
    "erase_identity",
    "work_help_requests",
    "convert_help_request",
    "run_reunification",
    "decide_reunification",
    "record_review",
    "account_for_class",
}
# Reads that need-to-know keeps from auditors: an identity is for those who work with the person.
NEED_TO_KNOW_READS = {"view_identity", "view_routed_help"}


def test_the_table_covers_every_role_and_action():
    assert set(COLUMNS) == set(ROLES) == set(MATRIX)
    assert {action for _, action in TABLE} == set(ACTIONS)


@pytest.mark.parametrize("role", COLUMNS)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_every_role_against_every_action(role, action):
    expected = TABLE[role, action]
    assert can([role], action) is (expected is not None)
    assert scopes([role], action) == (frozenset({expected}) if expected else frozenset())


def test_the_rules_of_the_issue_hold():
    writes = {role: {a for a in WRITES if can([role], a)} for role in COLUMNS}
    assert writes["auditor"] == set()  # reads everything, changes nothing
    # Nothing but notes, and the reunification stations (a district leader may staff them).
    assert writes["district-leader"] == {"add_note", "correct_note", "run_reunification"}
    # Erasing needs no sight of the person; importing a calendar or a roster none of an
    # incident (the roster's import shows counts and problems, never a person).
    assert writes["admin"] == {
        "manage_accounts", "import_calendar", "import_roster", "erase_identity"
    }  # fmt: skip
    assert all(can(["auditor"], a) for a in ACTIONS.keys() - WRITES - NEED_TO_KNOW_READS)
    # The help desk works the help requests and nothing else: no incident, no person.
    assert writes["help-desk"] == {"work_help_requests", "convert_help_request"}
    assert {a for a in ACTIONS if can(["help-desk"], a)} == writes["help-desk"] | {
        "view_help_requests"
    }
    assert not can(["auditor"], "view_identity") and not can(["district-leader"], "view_identity")
    responder = {a for a in ACTIONS if can(["responder"], a)}
    assert responder <= {a for a in ACTIONS if can(["crisis-lead"], a)}
    assert all(s == Scope.SHARED for a in ("view_board", "view_incident") for s in
               scopes(["partner"], a))  # fmt: skip


def test_several_roles_allow_what_any_of_them_allows():
    assert scopes(["responder", "auditor"], "replay") == {Scope.ALL}
    assert scopes(["responder", "crisis-lead"], "update_task") == {Scope.ALL, Scope.OWN}
    assert not can([], "view_board")


def test_unknown_actions_and_roles_are_programming_errors():
    with pytest.raises(ValueError, match="unknown action 'delete_incident'"):
        can(["crisis-lead"], "delete_incident")
    with pytest.raises(ValueError, match="unknown role 'root'"):
        can(["root"], "view_board")


def person(username: str, role: str, kind: str = "school", positions=()) -> Account:
    slug = "eastside-counseling" if kind == "partner" else "roosevelt-high-school"
    organisation = Organisation.create(slug=slug, name=slug, kind=kind, actor=ADMIN, at=NOW)
    return Account.create(
        username=username,
        display_name=username,
        organisation=organisation,
        roles=[role],
        positions=list(positions),
        actor=ADMIN,
        at=NOW,
    )


def test_require_names_the_person_and_what_they_may_not_do():
    auditor = person("a.kim", "auditor")
    assert require(auditor, "replay") == {Scope.ALL}
    with pytest.raises(Forbidden, match=r"a.kim \(auditor\) may not open an incident"):
        require(auditor, "open_incident")
    auditor.disable(actor=ADMIN, at=NOW)
    with pytest.raises(Forbidden):
        require(auditor, "replay")


def test_who_may_update_which_task():
    counselor = person("k.okafor", "responder", positions=["counselor"])
    lead = person("m.alvarez", "crisis-lead")
    partner = person("j.brooks", "partner", kind="partner")
    leader = person("r.patel", "district-leader")
    assert may_update_task(counselor, owner_role="counselor")
    assert not may_update_task(counselor, owner_role="principal")
    assert may_update_task(
        counselor, owner_role="principal", assignee_kind="person", assignee="k.okafor"
    )
    assert may_update_task(
        counselor, owner_role="nurse", assignee_kind="role", assignee="counselor"
    )
    assert may_update_task(lead, owner_role="principal")
    assert not may_update_task(leader, owner_role="principal")
    assert not may_update_task(partner, owner_role="partner-mental-health")
    assert may_update_task(
        partner, owner_role="counselor", assignee_kind="partner", assignee="eastside-counseling"
    )
    assert not may_update_task(
        partner, owner_role="counselor", assignee_kind="partner", assignee="food-bank"
    )
    counselor.disable(actor=ADMIN, at=NOW)
    assert not may_update_task(counselor, owner_role="counselor")


def test_the_markdown_table_has_a_row_per_action_and_a_column_per_role():
    markdown = matrix_markdown()
    rows = [line for line in markdown.splitlines() if line.startswith("| `")]
    assert len(rows) == len(ACTIONS)
    assert markdown.splitlines()[0] == "| action | " + " | ".join(COLUMNS) + " |"
    partner_cells = [row.split(" | ")[5] for row in rows]
    assert partner_cells.count("shared") == 9 and "**shared**" in markdown


def test_who_may_own_and_record_follow_ups():
    counselor = person("k.okafor", "responder", positions=["counselor"])
    principal = person("d.chen", "responder", positions=["principal"])
    lead = person("m.alvarez", "crisis-lead")
    clinician = person("j.brooks", "partner", kind="partner")
    leader = person("r.patel", "district-leader")
    assert [may_own_follow_ups(a) for a in (counselor, principal, lead, clinician, leader)] == [
        True, False, True, True, False,
    ]  # fmt: skip
    own = {"owner": "k.okafor", "owner_organisation": counselor.organisation}
    assert may_record_check_in(counselor, **own) and may_record_check_in(lead, **own)
    assert not may_record_check_in(principal, **own) and not may_record_check_in(clinician, **own)
    theirs = {"owner": "x.partner", "owner_organisation": clinician.organisation}
    assert may_record_check_in(clinician, **theirs) and not may_record_check_in(counselor, **theirs)
