"""Follow-ups on real SQLite and PostgreSQL, through the HTTP API: plans laid out from the
incident's playbook, My follow-ups by due day, recording a check-in (once, with clear errors),
a missed check-in overdue, a re-plan, a new calendar moving what is still ahead, the read model
rebuilt from the log, and who sees whose check-ins.

The district's clock starts on Monday 23 November 2026, 14:00 in Chicago. The demo accounts:
k.okafor and p.rivera are counselors, j.brooks is the partner Eastside Counseling's clinician,
m.alvarez a crisis lead, r.patel a district leader, d.chen a principal."""

from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest

from domain.errors import DomainError
from domain.follow_up_plan import KeyDates
from domain.follow_ups import FollowUps
from domain.people import Actor
from domain.school_days import SchoolCalendar
from service.follow_ups.due import FollowUpsDue
from tests.builders import SignedIn, signed_in_app

LEAD = Actor("m.alvarez", "crisis-lead")
NOTE = "Quiet in class; spoke with the art teacher about the memorial wall"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 14:00 CST

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def world(database_url: str, clock: Clock) -> Iterator[SignedIn]:
    with signed_in_app(database_url, clock=clock) as signed:
        opened = signed.client.post(
            "/api/v1/incidents",
            json={
                "title": "Death of a student",
                "kind": "death",
                "severity": 2,
                "schools": ["Roosevelt High School"],
            },
            headers=signed.headers["m.alvarez"],
        )
        assert opened.status_code == 201, opened.text
        signed.ref = opened.json()["reference"]
        applied = signed.client.post(
            f"/api/v1/incidents/{signed.ref}/playbooks",
            json={"playbook_id": "death-of-student-or-staff"},
            headers=signed.headers["m.alvarez"],
        )
        assert applied.status_code == 201, applied.text
        commands = signed.client.app.state.follow_ups
        for person, owner in (
            ("P-0007", "k.okafor"),
            ("P-0008", "p.rivera"),
            ("P-0009", "j.brooks"),
        ):
            commands.plan(person, signed.ref, tier=2, owner=owner, actor=LEAD)
        yield signed


def mine(world: SignedIn, who: str) -> dict[str, Any]:
    got = world.client.get("/api/v1/my-follow-ups", headers=world.headers[who])
    assert got.status_code == 200, got.text
    return got.json()


def listed(world: SignedIn, who: str) -> dict[str, list[str]]:
    """Each group's check-ins as "P-0007 C1 label on YYYY-MM-DD"."""
    return {
        g["group"]: [
            f"{c['person_ref']} {c['check_in_id']} {c['label']} on {c['due'][:10]}"
            for c in g["check_ins"]
        ]
        for g in mine(world, who)["groups"]
        if g["check_ins"]
    }


def people(world: SignedIn, who: str) -> set[str]:
    return {c.split()[0] for group in listed(world, who).values() for c in group}


def record(world: SignedIn, who: str, person: str, check_in: str, **body: str) -> Any:
    return world.client.post(
        f"/api/v1/follow-ups/{person}/{world.ref}/check-ins/{check_in}",
        json={"outcome": "seen_no_concern", **body},
        headers=world.headers[who],
    )


def test_the_plan_comes_from_the_playbook_and_lists_by_due_day(world):
    follow_ups = world.client.app.state.follow_ups.follow_ups("P-0007", world.ref)
    assert follow_ups.source == "death-of-student-or-staff v3"
    # Tier 2 from Mon 23 Nov: weekly (5 school days) twice, then the same day a month on.
    assert listed(world, "k.okafor") == {
        "later": [
            "P-0007 C1 Weekly check-in on 2026-11-30",
            "P-0007 C2 Weekly check-in on 2026-12-07",
            "P-0007 C3 One-month check-in on 2026-12-23",
            "P-0007 C4 First anniversary on 2027-11-23",
        ]
    }


def test_a_missed_check_in_is_overdue_until_recorded_and_is_recorded_once(world, clock):
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # Tue 1 Dec, 10:00
    assert listed(world, "k.okafor")["overdue"] == ["P-0007 C1 Weekly check-in on 2026-11-30"]
    assert mine(world, "k.okafor")["overdue"] == 1
    done = record(world, "k.okafor", "P-0007", "C1", note=NOTE)
    assert done.status_code == 200, done.text
    assert (done.json()["outcome"], done.json()["again"]) == ("seen_no_concern", False)
    assert "overdue" not in listed(world, "k.okafor")
    assert listed(world, "k.okafor")["later"][0] == "P-0007 C2 Weekly check-in on 2026-12-07"
    # A phone that lost the answer sends it again: the same answer, nothing twice.
    again = record(world, "k.okafor", "P-0007", "C1", note=NOTE)
    assert again.status_code == 200 and again.json()["again"] is True
    different = record(world, "k.okafor", "P-0007", "C1", outcome="declined")
    assert different.status_code == 422
    assert "already recorded as seen, no concern by k.okafor" in different.json()["error"]
    follow_ups = world.client.app.state.follow_ups.follow_ups("P-0007", world.ref)
    assert follow_ups.version == 2  # planned, then one check-in recorded


@pytest.mark.parametrize(
    ("path_person", "check_in", "body", "status", "says"),
    [
        ("P-0007", "C1", {"outcome": "could_not_reach"}, 422, "say what happened in a note"),
        (
            "P-0007",
            "C1",
            {"outcome": "concern_next_step", "note": "tearful"},
            422,
            "a concern needs its next step",
        ),
        ("P-0007", "C1", {"outcome": "fine"}, 422, "is not one of seen_no_concern"),
        ("P-0007", "C9", {}, 404, "P-0007 has no check-in 'C9'"),
        ("P-0999", "C1", {}, 404, "P-0999 has no follow-ups on INC-2026-0001 that k.okafor may"),
        ("Jamie", "C1", {}, 422, "is not a person's reference"),
    ],
)
def test_mistakes_are_refused_with_what_to_do(world, path_person, check_in, body, status, says):
    answer = record(world, "k.okafor", path_person, check_in, **body)
    assert answer.status_code == status, answer.text
    assert says in answer.text


def test_need_to_know_each_sees_their_own_a_partner_their_organisations_a_lead_all(world):
    assert people(world, "k.okafor") == {"P-0007"}
    assert people(world, "p.rivera") == {"P-0008"}
    assert people(world, "j.brooks") == {"P-0009"}
    assert people(world, "m.alvarez") == {
        "P-0007",
        "P-0008",
        "P-0009",
    }
    # Another counselor may not record mine, nor learn they exist.
    refused = record(world, "p.rivera", "P-0007", "C1")
    unknown = record(world, "p.rivera", "P-0999", "C1")
    assert refused.status_code == unknown.status_code == 404
    # The same words as for follow-ups there are none of: nothing learnt from the answer.
    assert refused.json()["error"] == unknown.json()["error"].replace("P-0999", "P-0007")
    assert record(world, "j.brooks", "P-0007", "C1").status_code == 404
    assert record(world, "m.alvarez", "P-0007", "C1").status_code == 200  # a lead may
    # Those who hold no follow-ups may not open the list.
    assert (
        world.client.get("/api/v1/my-follow-ups", headers=world.headers["r.patel"]).status_code
        == 403
    )
    assert mine(world, "d.chen")["total"] == 0


def test_only_mental_health_staff_partners_and_leads_may_own_follow_ups(world):
    with pytest.raises(DomainError, match=r"d\.chen may not own follow-ups"):
        world.client.app.state.follow_ups.plan(
            "P-0010", world.ref, tier=1, owner="d.chen", actor=LEAD
        )


def test_a_re_triage_replaces_the_open_check_ins_ahead(world, clock):
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)  # C1 (30 Nov) was missed
    world.client.app.state.follow_ups.plan(
        "P-0007", world.ref, tier=3, owner="k.okafor", actor=LEAD
    )
    shown = listed(world, "k.okafor")
    assert shown["overdue"] == ["P-0007 C1 Weekly check-in on 2026-11-30"]  # not forgotten
    later = [c for group in shown.values() for c in group]
    assert "P-0007 C5 First check-in on 2026-12-02" in later
    assert not any(" C2 " in c or " C3 " in c for c in later)  # the tier-2 ones gave way


class WithDaysOff(SchoolCalendar):
    def __init__(self, *off: date) -> None:
        self.off = set(off)

    def is_school_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in self.off


def test_a_new_calendar_moves_the_check_ins_still_ahead(world, clock):
    commands = world.client.app.state.follow_ups
    clock.now = datetime(2026, 11, 24, 16, 0, tzinfo=UTC)
    # Thanksgiving (Thu 26, Fri 27 Nov) is now off: the fifth school day is Wed 2 Dec.
    commands.calendar_for = lambda schools: WithDaysOff(date(2026, 11, 26), date(2026, 11, 27))
    moved = commands.reschedule_for_calendar(
        [world.ref], reason="District calendar loaded", actor=LEAD
    )
    assert moved[f"P-0007 {world.ref}"] == ["C1", "C2"]
    assert listed(world, "k.okafor")["later"][:2] == [
        "P-0007 C1 Weekly check-in on 2026-12-02",
        "P-0007 C2 Weekly check-in on 2026-12-09",
    ]
    follow_ups = commands.follow_ups("P-0007", world.ref)
    assert follow_ups.version == 2
    # The same calendar again moves nothing and records nothing, on this incident or any.
    assert commands.reschedule_for_calendar([world.ref], reason="again", actor=LEAD) == {}
    assert commands.reschedule_for_calendar(reason="again", actor=LEAD) == {}


def test_the_read_model_rebuilt_from_the_log_matches_the_store(world, clock):
    record(world, "k.okafor", "P-0007", "C1", note=NOTE)
    world.client.app.state.follow_ups.plan(
        "P-0008", world.ref, tier=1, owner="p.rivera", actor=LEAD
    )
    live = world.client.app.state.follow_ups_due
    steady = world.client.app.state.steady
    rebuilt = FollowUpsDue(steady, world.client.app.state.follow_ups.owner_organisation)
    assert rebuilt.state() == live.state()
    assert len(rebuilt.state()) == 3
    for stream_id, state in rebuilt.state().items():
        assert steady.repository.get(stream_id).as_record() == state
    assert rebuilt.open_check_ins(clock.now) == live.open_check_ins(clock.now)


def test_ids_and_stored_rows_hold_no_note_text(world, database_url):
    record(world, "k.okafor", "P-0007", "C1", outcome="could_not_reach", note=NOTE)
    steady = world.client.app.state.steady
    notifications = steady.recorder.select_notifications(0, 1000)
    assert all(NOTE.encode() not in n.state for n in notifications)
    assert FollowUps.id_for("P-0007", world.ref) in {n.originator_id for n in notifications}


def test_the_page_lists_pseudonyms_and_the_header_links_to_it(world, clock):
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    world.sign_in(world.client, "k.okafor")
    page = world.client.get("/my-follow-ups")
    assert page.status_code == 200, page.text
    assert 'href="/my-follow-ups" aria-current="page">My follow-ups</a>' in page.text
    assert "1 overdue" in page.text and f"check-in-P-0007-{world.ref}-C1" in page.text
    assert "P-0008" not in page.text and "P-0009" not in page.text  # p.rivera's, j.brooks's
    assert "No school calendar is loaded" in page.text  # so due days are Monday to Friday
    world.client.app.state.calendars.import_text(
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//t//t//EN\nX-WR-CALNAME:Riverside 2026-27\n"
        "BEGIN:VEVENT\nUID:w@t\nDTSTAMP:20260701T000000Z\nDTSTART;VALUE=DATE:20261221\n"
        "DTEND;VALUE=DATE:20270102\nSUMMARY:Winter break\nEND:VEVENT\nEND:VCALENDAR\n",
        actor=Actor("admin", "admin"),
    )
    page = world.client.get("/my-follow-ups")
    assert "Due dates count school days on Riverside 2026-27" in page.text
    world.sign_in(world.client, "r.patel")
    board = world.client.get("/")
    assert board.status_code == 200 and "/my-follow-ups" not in board.text  # no follow-ups
    assert world.client.get("/my-follow-ups").status_code == 403


def test_after_triage_plans_again_keeping_the_owner_and_the_key_dates(world, clock):
    commands = world.client.app.state.follow_ups
    back = KeyDates(return_to_school=date(2026, 12, 7))  # a Monday
    commands.plan("P-0010", world.ref, tier=3, owner="k.okafor", key_dates=back, actor=LEAD)
    shown = [c for group in listed(world, "k.okafor").values() for c in group]
    assert "P-0010 C3 Re-entry meeting before the return on 2026-12-04" in shown
    clock.now = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    # Re-triaged to tier 2 with no counselor named: k.okafor keeps them, the return stays.
    commands.after_triage("P-0010", world.ref, 2, None, LEAD)
    follow_ups = commands.follow_ups("P-0010", world.ref)
    assert (follow_ups.tier, follow_ups.owner, follow_ups.key_dates) == (2, "k.okafor", back)
    labels = {c.label for c in follow_ups.open_check_ins()}
    assert {"Re-entry meeting before the return", "First day back"} <= labels
    # A counselor named at triage takes them over.
    commands.after_triage("P-0010", world.ref, 2, "p.rivera", LEAD)
    assert "P-0010" in people(world, "p.rivera") and "P-0010" not in people(world, "k.okafor")


def test_the_district_picture_counts_check_ins_done_against_due(world, clock):
    clock.now = datetime(2026, 12, 1, 16, 0, tzinfo=UTC)
    record(world, "k.okafor", "P-0007", "C1", note=NOTE)
    states = world.client.app.state.follow_ups_due.check_in_states(lambda person: "Roosevelt")
    due_by_now = [s for s in states if s.due < clock.now]
    assert len(states) == 12  # three people, four check-ins each
    assert sorted((s.person_ref, s.recorded_at is not None) for s in due_by_now) == [
        ("P-0007", True),
        ("P-0008", False),
        ("P-0009", False),
    ]
