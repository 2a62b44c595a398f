"""Sharing an incident with a partner organisation: the rules, what the partner's view of the
incident holds, and what each partner receives of the event feed, event by event."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.incident_tasks import TaskOutcome
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.task import Status, TaskPlan
from service.live.feed_events import FeedEvent, to_feed_event
from service.sharing.feed import PartnerFeed
from service.sharing.view import partner_incident_view, partner_summary
from tests.builders import LEAD

PARTNER = Actor("j.brooks", "partner-mental-health")
EASTSIDE, EASTSIDE_NAME = "eastside-counseling", "Eastside Counseling Center"
FOODBANK, FOODBANK_NAME = "food-bank", "Riverside Food Bank"
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
SECRET = "S-1042's mother asked that the cause not be shared"


def incident_with_tasks(count: int = 3) -> Incident:
    incident = Incident.open(
        reference="INC-2026-0001",
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Jefferson Middle School"],
        summary=SECRET,
        occurred_at=NOW - timedelta(hours=2),
        actor=LEAD,
        at=NOW,
    )
    for number in range(1, count + 1):
        plan = TaskPlan(f"Task {number}", "", Phase.RECOVERY, "counselor", NOW + timedelta(days=7))
        incident.add_task(plan, actor=LEAD, at=NOW)
    return incident


def test_sharing_twice_or_ending_a_share_that_does_not_exist_is_refused():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    assert incident.shares == {EASTSIDE: EASTSIDE_NAME}
    with pytest.raises(DomainError, match="already shared with Eastside Counseling Center"):
        incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="is not shared with food-bank"):
        incident.end_share(FOODBANK, reason="", actor=LEAD, at=NOW)
    incident.end_share(EASTSIDE, reason="Groups ended", actor=LEAD, at=NOW)
    assert incident.shares == {}


def test_a_closed_incident_cannot_be_shared_but_a_share_on_it_can_end():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.close("Recovery complete", all_open=TaskOutcome.DONE, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="is closed; reopen it"):
        incident.share(FOODBANK, FOODBANK_NAME, actor=LEAD, at=NOW)
    incident.end_share(EASTSIDE, reason="", actor=LEAD, at=NOW)
    assert incident.shares == {}


def test_a_note_is_shared_only_with_a_partner_the_incident_is_shared_with():
    incident = incident_with_tasks()
    note = incident.add_note("Grief groups on Tuesdays", actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="share the incident with that organisation before"):
        incident.share_note(note, EASTSIDE, actor=LEAD, at=NOW)
    with pytest.raises(NotFound, match="has no note N9"):
        incident.share_note("N9", EASTSIDE, actor=LEAD, at=NOW)
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.share_note(note, EASTSIDE, actor=LEAD, at=NOW)
    with pytest.raises(DomainError, match="already shared with Eastside"):
        incident.share_note(note, EASTSIDE, actor=LEAD, at=NOW)
    correction = incident.correct_note(
        note, "Grief groups on Thursdays", reason="day", actor=LEAD, at=NOW
    )
    # The correction reaches whoever could read the note it corrects.
    assert incident.notes[correction].shared_with == (EASTSIDE,)
    with pytest.raises(DomainError, match=f"was corrected by {correction}; share {correction}"):
        incident.share_note(note, FOODBANK, actor=LEAD, at=NOW)


def test_a_partner_view_holds_only_their_tasks_and_the_notes_shared_with_them():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.share(FOODBANK, FOODBANK_NAME, actor=LEAD, at=NOW)
    incident.assign_task("T2", Assignee("partner", EASTSIDE), actor=LEAD, at=NOW)
    incident.assign_task("T3", Assignee("partner", FOODBANK), actor=LEAD, at=NOW)
    private = incident.add_note(SECRET, actor=LEAD, at=NOW)
    shared = incident.add_note("Groups start Tuesday", task_id="T3", actor=LEAD, at=NOW)
    incident.share_note(shared, EASTSIDE, actor=LEAD, at=NOW)
    incident.share_note(shared, FOODBANK, actor=LEAD, at=NOW)
    incident.close(f"Review: {SECRET}", all_open=TaskOutcome.NOT_APPLICABLE, actor=LEAD, at=NOW)

    view = partner_incident_view(incident, EASTSIDE, NOW)

    assert [t["id"] for t in view["task_list"]] == ["T2"]
    assert [n["id"] for n in view["notes"]] == [shared]
    note = view["notes"][0]
    # The note was about the food bank's task, and shared with the food bank too: neither shows.
    assert note["task_id"] == "" and note["shared_with"] == [EASTSIDE]
    assert view["shares"] == [{"organisation": EASTSIDE, "name": EASTSIDE_NAME}]
    assert private not in str(view) and SECRET not in str(view)
    tasks = {"done": 0, "not_applicable": 1, "carried": 0, "total": 1, "overdue": 0}
    assert view["tasks"] == tasks  # set aside as it closed: counted apart, never as done
    assert partner_summary(incident, FOODBANK, NOW)["tasks"]["total"] == 1


def feed_of(incident: Incident, start: int = 0) -> list[FeedEvent]:
    events = incident.collect_events()
    return [to_feed_event(start + i + 1, incident.reference, e) for i, e in enumerate(events)]


def partner_feed(events: list[FeedEvent]) -> PartnerFeed:
    def read_after(position: int, limit: int) -> list[FeedEvent]:
        return [e for e in events if e.position > position][:limit]

    return PartnerFeed(read_after)


def test_a_partner_receives_nothing_from_before_the_share_or_after_it_ends():
    """And once it ends, what it showed is withdrawn: only the end itself stays."""
    incident = incident_with_tasks()
    incident.add_note("Before the share", actor=LEAD, at=NOW)
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.assign_task("T1", Assignee("partner", EASTSIDE), actor=LEAD, at=NOW)
    incident.change_task_status("T1", Status.IN_PROGRESS, actor=PARTNER, at=NOW)
    incident.change_task_status("T2", Status.IN_PROGRESS, actor=LEAD, at=NOW)
    incident.change_severity(1, reason=SECRET, actor=LEAD, at=NOW)
    incident.end_share(EASTSIDE, reason="Handed back to the school", actor=LEAD, at=NOW)
    incident.change_task_status("T1", Status.DONE, actor=LEAD, at=NOW)
    events = feed_of(incident)
    feed = partner_feed(events)
    feed.fold(events[:-2])  # while the share lasted

    seen = [feed.view(EASTSIDE, e) for e in events[:-2]]
    shown = [(e.type, e.data) for e in seen if e is not None]

    assert shown == [
        ("incident_shared", {"organisation": EASTSIDE, "organisation_name": EASTSIDE_NAME}),
        (
            "task_assigned",
            {
                "task_id": "T1",
                "assignee_kind": "partner",
                "assignee": EASTSIDE,
                "task": {
                    "title": "Task 1",
                    "instructions": "",
                    "phase": "recovery",
                    "owner_role": "counselor",
                    "due_at": (NOW + timedelta(days=7)).isoformat(),
                    "status": "todo",
                },
            },
        ),
        (
            "task_status_changed",
            {"task_id": "T1", "status": "in_progress", "reason": "", "note": ""},
        ),
        ("severity_changed", {"severity": 1}),
    ]
    ended = [(e.type, e.data) for e in feed.views(EASTSIDE, events) if e is not None]
    assert ended == [
        ("incident_share_ended", {"organisation": EASTSIDE, "organisation_name": EASTSIDE_NAME}),
    ]
    assert all(feed.view(FOODBANK, e) is None for e in events)


def test_a_partner_learns_a_task_was_taken_from_them_but_not_who_has_it_now():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.assign_task("T1", Assignee("partner", EASTSIDE), actor=LEAD, at=NOW)
    incident.assign_task("T1", Assignee("person", "k.okafor"), actor=LEAD, at=NOW)
    incident.change_task_status("T1", Status.IN_PROGRESS, actor=LEAD, at=NOW)
    events = feed_of(incident)
    feed = partner_feed(events)

    shown = [v for v in (feed.view(EASTSIDE, e) for e in events) if v is not None]

    assert shown[-1].type == "task_assigned"
    assert shown[-1].data == {"task_id": "T1", "assignee_kind": "", "assignee": ""}
    assert "k.okafor" not in str([v.data for v in shown])


def test_a_shared_note_reaches_the_partner_with_its_text_and_a_private_one_never_does():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.add_note(SECRET, actor=LEAD, at=NOW)
    shared = incident.add_note("Groups start Tuesday", task_id="T2", actor=LEAD, at=NOW)
    incident.share_note(shared, EASTSIDE, actor=LEAD, at=NOW)
    incident.correct_note(shared, "Groups start Thursday", reason="day", actor=LEAD, at=NOW)
    incident.close(SECRET, all_open=TaskOutcome.NOT_APPLICABLE, actor=LEAD, at=NOW)
    events = feed_of(incident)
    feed = partner_feed(events)

    shown = [v for v in (feed.view(EASTSIDE, e) for e in events) if v is not None]

    assert [v.type for v in shown] == [
        "incident_shared",
        "note_shared",
        "note_corrected",
        "incident_closed",
    ]
    note = shown[1].data["note"]
    assert note["text"] == "Groups start Tuesday"
    assert note["task_id"] == ""  # T2 is not theirs
    assert shown[3].data == {}
    assert SECRET not in str([v.data for v in shown])


def test_a_partner_catching_up_later_gets_what_a_live_one_is_served_now():
    incident = incident_with_tasks()
    incident.share(EASTSIDE, EASTSIDE_NAME, actor=LEAD, at=NOW)
    incident.assign_task("T1", Assignee("partner", EASTSIDE), actor=LEAD, at=NOW)
    first = feed_of(incident)
    incident.end_share(EASTSIDE, reason="", actor=LEAD, at=NOW)
    incident.assign_task("T1", Assignee("role", "counselor"), actor=LEAD, at=NOW)
    later = feed_of(incident, start=len(first))
    events = first + later

    live = partner_feed(events)
    live.fold(first)  # as the log follower would, while the share was on
    live_views = [live.view(EASTSIDE, e) for e in first]
    live.fold(later)
    late = partner_feed(events)  # a process that started after the share ended

    assert [late.view(EASTSIDE, e) for e in events] == [live.view(EASTSIDE, e) for e in events]
    assert [v.type for v in live_views if v] == ["incident_shared", "task_assigned"]
    # The ended share's views are withdrawn; only its end stays.
    assert [v.type for v in (late.view(EASTSIDE, e) for e in events) if v] == [
        "incident_share_ended"
    ]
    assert [late.view(EASTSIDE, e) for e in later][1] is None  # reassigned after the share ended
