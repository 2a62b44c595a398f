"""My work's rules, without a store: when a task falls due in the district's local days, whose a
task is, and which tasks no one can pick up."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.organisation import Organisation
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.task import Status, Task
from service.work.due_days import due_group
from service.work.holders import no_one_holds, roles_held
from service.work.my_work import why_mine

CHICAGO = ZoneInfo("America/Chicago")
# Monday 23 November 2026, 14:00 in Chicago (20:00 UTC).
NOW = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)
ADMIN = Actor("cli:root", "admin")


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=CHICAGO)


def task(owner: str = "counselor", assignee: Assignee | None = None, **changes) -> Task:
    made = Task(
        id="T1",
        title="Call the family",
        instructions="",
        phase=Phase.RESPONSE,
        owner_role=owner,
        due_at=None,
        stakeholder="",
        component="",
        playbook_id="",
        step_id="",
        assignee=assignee,
    )
    return Task(**{**made.__dict__, **changes})


def account(username: str, roles: list[str], positions: list[str], org: str = "roosevelt"):
    kind = "partner" if org == "eastside-counseling" else "school"
    organisation = Organisation.create(slug=org, name=org, kind=kind, actor=ADMIN, at=NOW)
    return Account.create(
        username=username,
        display_name=username,
        organisation=organisation,
        roles=roles,
        positions=positions,
        actor=ADMIN,
        at=NOW,
    )


def test_days_are_the_districts_local_days():
    assert due_group(NOW - timedelta(minutes=1), NOW, CHICAGO) == "overdue"
    assert due_group(local(23, 23, 30), NOW, CHICAGO) == "today"  # 05:30 UTC on the 24th
    assert due_group(local(24, 0, 30), NOW, CHICAGO) == "this_week"  # 06:30 UTC on the 24th
    assert due_group(local(29, 23, 59), NOW, CHICAGO) == "this_week"  # Sunday
    assert due_group(local(30, 0, 0), NOW, CHICAGO) == "later"  # next Monday
    assert due_group(None, NOW, CHICAGO) == "no_due_date"
    # Counted in UTC days, 23:30 in Chicago would be tomorrow.
    assert due_group(local(23, 23, 30), NOW, ZoneInfo("UTC")) == "this_week"


def test_a_task_is_yours_by_name_by_position_or_by_your_organisation():
    counselor = account("k.okafor", ["responder"], ["counselor"])
    assert why_mine(counselor, None, task()) == "position"
    assert why_mine(counselor, None, task(owner="nurse")) is None
    assert why_mine(counselor, None, task(owner="nurse", assignee=Assignee("role", "counselor")))
    named = task(owner="nurse", assignee=Assignee("person", "K.Okafor "))
    assert why_mine(counselor, None, named) == "name"
    # Given to someone else by name, or to a partner: no longer the position's.
    assert why_mine(counselor, None, task(assignee=Assignee("person", "d.chen"))) is None
    assert why_mine(counselor, None, task(assignee=Assignee("partner", "eastside"))) is None
    assert why_mine(counselor, None, task(status=Status.DONE)) is None
    partner = account("j.brooks", ["partner"], ["counselor"], org="eastside-counseling")
    theirs = task(assignee=Assignee("partner", "eastside-counseling"))
    assert why_mine(partner, "eastside-counseling", theirs) == "organisation"
    assert why_mine(partner, "eastside-counseling", task()) is None  # positions do not reach


def test_a_role_is_held_by_an_enabled_district_person_who_takes_tasks_or_a_stand_in():
    counselor = account("k.okafor", ["responder"], ["counselor"])
    nurse = account("n.ruiz", ["responder"], ["nurse"])
    nurse.disable(reason="left", actor=ADMIN, at=NOW)
    leader = account("r.patel", ["district-leader"], ["principal"])  # may not change tasks
    partner = account("j.brooks", ["partner"], ["social-worker"], org="eastside-counseling")
    held = roles_held(
        [counselor, nurse, leader, partner], {"eastside-counseling"}, ["partner-mental-health"]
    )
    assert {"counselor", "partner-mental-health"} <= held
    assert not held & {"nurse", "principal", "social-worker"}

    assert no_one_holds(task(owner="family-liaison"), held) == "family-liaison"
    assert no_one_holds(task(owner="counselor"), held) is None
    by_role = task(owner="family-liaison", assignee=Assignee("role", "nurse"))
    assert no_one_holds(by_role, held) == "nurse"  # the role it was given
    assert no_one_holds(task(owner="nurse", assignee=Assignee("person", "k.okafor")), held) is None
    assert no_one_holds(task(owner="nurse", status=Status.DONE), held) is None
