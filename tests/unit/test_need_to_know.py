"""The need-to-know rule: who sees which incident of the district, and how much of it."""

from datetime import UTC, datetime

import pytest

from domain.account import Account
from domain.errors import DomainError
from domain.incident import Incident
from domain.organisation import Organisation
from domain.people import Actor, Assignee
from domain.task import TaskPlan
from service.access.need_to_know import (
    Sight,
    confidential_counts,
    is_personal,
    may_see,
    school_key,
    sight,
    viewer_of,
)
from service.timelines.narration import narrate
from tests.builders import LEAD

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
ADMIN = Actor("admin", "admin")
DISTRICT = Organisation.create(
    slug="riverside-usd", name="Riverside USD", kind="district", actor=ADMIN, at=NOW
)
ROOSEVELT = Organisation.create(
    slug="roosevelt-high-school", name="Roosevelt High School", kind="school", actor=ADMIN, at=NOW
)
JEFFERSON = Organisation.create(
    slug="jefferson-ms", name="Jefferson Middle School", kind="school", actor=ADMIN, at=NOW
)
EASTSIDE = Organisation.create(
    slug="eastside-counseling", name="Eastside Counseling", kind="partner", actor=ADMIN, at=NOW
)


def person(username: str, role: str, organisation: Organisation = DISTRICT) -> Account:
    return Account.create(
        username=username,
        display_name=username,
        organisation=organisation,
        roles=[role],
        positions=["counselor"] if role == "responder" else [],
        actor=ADMIN,
        at=NOW,
    )


def incident(kind: str = "lockdown", school: str = "Roosevelt High School") -> Incident:
    return Incident.open(
        reference="INC-2026-0001",
        title="Something at school",
        kind=kind,
        severity=2,
        schools=[school],
        summary="",
        occurred_at=NOW,
        actor=LEAD,
        at=NOW,
    )


LEAD_ACCOUNT = person("m.alvarez", "crisis-lead")
AUDITOR = person("a.kim", "auditor")
LEADER = person("r.patel", "district-leader")
OURS = person("k.okafor", "responder", ROOSEVELT)
THEIRS = person("d.chen", "responder", JEFFERSON)
PARTNER = person("j.brooks", "partner", EASTSIDE)
ADMIN_ACCOUNT = person("admin", "admin")


def seen(account: Account, subject: Incident, names: tuple[str, ...] = ()) -> Sight:
    return sight(viewer_of(account, names), subject)


def test_an_ordinary_incident_is_seen_by_its_schools_people_and_the_district_wide_roles():
    lockdown = incident()
    assert seen(LEAD_ACCOUNT, lockdown) == Sight.WHOLE
    assert seen(AUDITOR, lockdown) == Sight.WHOLE
    assert seen(LEADER, lockdown) == Sight.WHOLE
    assert seen(OURS, lockdown) == Sight.WHOLE
    assert seen(THEIRS, lockdown) == Sight.NONE
    assert seen(PARTNER, lockdown) == Sight.NONE
    assert seen(ADMIN_ACCOUNT, lockdown) == Sight.NONE


def test_a_school_matches_by_its_id_or_its_name_however_it_is_written():
    assert school_key("Roosevelt High School") == school_key("roosevelt-high-school")
    # The organisation's id need not read as the name: then the name matches.
    jefferson = incident(school="Jefferson Middle School")
    assert seen(THEIRS, jefferson) == Sight.NONE
    assert seen(THEIRS, jefferson, ("Jefferson Middle School",)) == Sight.WHOLE


def test_schools_given_to_a_responder_widen_what_they_see_and_are_an_event():
    district_psychologist = person("l.nguyen", "responder")
    lockdown = incident()
    assert seen(district_psychologist, lockdown) == Sight.NONE
    district_psychologist.set_schools(["roosevelt-high-school"], actor=ADMIN, at=NOW)
    assert district_psychologist.pending_events[-1].NAME == "schools_set"
    assert seen(district_psychologist, lockdown) == Sight.WHOLE
    with pytest.raises(DomainError, match="already has exactly these schools"):
        district_psychologist.set_schools(["roosevelt-high-school"], actor=ADMIN, at=NOW)


def test_a_task_assigned_by_name_lets_a_responder_of_another_school_see_the_incident():
    lockdown = incident()
    task_id = lockdown.add_task(
        TaskPlan(
            title="Reunification",
            instructions="",
            phase=lockdown.phase,
            owner_role="nurse",
            due_at=None,
        ),
        actor=LEAD,
        at=NOW,
    )
    lockdown.assign_task(task_id, Assignee("person", "d.chen"), actor=LEAD, at=NOW)
    assert seen(THEIRS, lockdown) == Sight.WHOLE
    assert is_personal(viewer_of(THEIRS), [lockdown])
    assert not is_personal(viewer_of(OURS), [lockdown])
    # Shared audiences of the live feed are judged without anyone's personal grants.
    assert sight(viewer_of(THEIRS).anonymous(), lockdown) == Sight.NONE


@pytest.mark.parametrize("kind", ["self-harm-risk", "bullying"])
def test_a_case_about_one_student_is_confidential_by_its_kind(kind):
    case = incident(kind)
    assert case.confidential
    assert seen(LEAD_ACCOUNT, case) == Sight.WHOLE
    assert seen(AUDITOR, case) == Sight.WHOLE
    assert seen(LEADER, case) == Sight.COUNT
    assert seen(OURS, case) == Sight.COUNT  # their school's: counted, not shown
    assert seen(THEIRS, case) == Sight.NONE  # another school's: not even counted
    assert not may_see(viewer_of(LEADER), case)


def test_the_case_team_sees_a_confidential_incident_and_naming_on_a_task_does_not():
    case = incident("bullying")
    task_id = case.add_task(
        TaskPlan(
            title="Safety plan",
            instructions="",
            phase=case.phase,
            owner_role="counselor",
            due_at=None,
        ),
        actor=LEAD,
        at=NOW,
    )
    case.assign_task(task_id, Assignee("person", "d.chen"), actor=LEAD, at=NOW)
    assert seen(THEIRS, case) == Sight.NONE
    case.add_to_case_team("d.chen", actor=LEAD, at=NOW)
    case.add_to_case_team("r.patel", actor=LEAD, at=NOW)
    assert seen(THEIRS, case) == Sight.WHOLE
    assert seen(LEADER, case) == Sight.WHOLE
    assert seen(OURS, case) == Sight.COUNT
    case.remove_from_case_team("d.chen", reason="moved school", actor=LEAD, at=NOW)
    assert seen(THEIRS, case) == Sight.NONE
    with pytest.raises(DomainError, match="not on the case team"):
        case.remove_from_case_team("d.chen", actor=LEAD, at=NOW)


def test_a_lead_marks_and_unmarks_an_incident_confidential_and_the_timeline_tells_it():
    lockdown = incident()
    lockdown.mark_confidential(reason="about one student", actor=LEAD, at=NOW)
    assert lockdown.confidential and seen(OURS, lockdown) == Sight.COUNT
    assert seen(LEADER, lockdown) == Sight.COUNT
    with pytest.raises(DomainError, match="already marked"):
        lockdown.mark_confidential(actor=LEAD, at=NOW)
    lockdown.add_to_case_team("k.okafor", actor=LEAD, at=NOW)
    lockdown.unmark_confidential(reason="the whole school is involved", actor=LEAD, at=NOW)
    assert not lockdown.confidential and seen(LEADER, lockdown) == Sight.WHOLE
    stream = lockdown.collect_events()
    assert all(e.computed_hash() == e.event_hash for e in stream)
    events = [_feed(i, e) for i, e in enumerate(stream, 1)]
    told = [entry["what"] for entry in narrate(events, UTC)][-3:]
    assert told == [
        "marked the incident confidential: only crisis leads, its case team and auditors see it "
        "(about one student)",
        "added k.okafor to the case team",
        "unmarked the incident confidential: the whole school is involved",
    ]


def test_unmarking_is_refused_for_a_kind_that_is_always_confidential():
    case = incident("self-harm-risk")
    with pytest.raises(DomainError, match="stays confidential"):
        case.unmark_confidential(reason="x", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="confidential already"):
        case.mark_confidential(actor=LEAD, at=NOW)


def test_confidential_cases_are_counted_per_school_for_those_who_may_only_count_them():
    cases = [incident("bullying"), incident("self-harm-risk"), incident("lockdown")]
    cases.append(incident("bullying", school="Jefferson Middle School"))
    assert confidential_counts(viewer_of(LEADER), cases) == {
        "Roosevelt High School": 2,
        "Jefferson Middle School": 1,
    }
    assert confidential_counts(viewer_of(OURS), cases) == {"Roosevelt High School": 2}
    assert confidential_counts(viewer_of(LEAD_ACCOUNT), cases) == {}


def test_a_partner_sees_only_a_share_and_a_disabled_account_nothing():
    lockdown = incident()
    lockdown.share("eastside-counseling", "Eastside Counseling", actor=LEAD, at=NOW)
    assert seen(PARTNER, lockdown) == Sight.SHARED
    ours = person("k.okafor2", "responder", ROOSEVELT)
    ours.disable(actor=ADMIN, at=NOW)
    assert seen(ours, lockdown) == Sight.NONE


def _feed(position: int, event: Incident.Event):
    from service.live.feed_events import to_feed_event

    return to_feed_event(position, "INC-2026-0001", event)
