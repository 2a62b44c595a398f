"""Recovery across schools on real SQLite and PostgreSQL: the API and the page count people by
tier, check-ins and referrals over the incidents the viewer sees whole, with no name or
pseudonym, small cells hidden, a confidential case's people left out for a district leader; a
responder and a partner are refused; the board's cards show an incident's recovery progress to
those who see it whole.

The district's clock starts on Monday 23 November 2026, 14:00 in Chicago. Demo accounts:
m.alvarez crisis lead; r.patel district leader; a.kim auditor; k.okafor Roosevelt's counselor
(a responder); j.brooks of Eastside Counseling (partner)."""

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.identity import Identity
from domain.people import Actor
from tests.builders import SignedIn, signed_in_app

LEAD = Actor("m.alvarez", "crisis-lead")
ADMIN = Actor("admin", "admin")
ROOSEVELT = "Roosevelt High School"
NAMES = [f"Quillonia Testperson{i:02}" for i in range(40)]
DEMO_CALENDAR = Path(__file__).parents[2] / "service/demo/calendar-2026-27.ics"
PSEUDONYM = re.compile(r"P-\d{4}")


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 20, 0, tzinfo=UTC)  # Mon 23 Nov 2026, 14:00 CST

    def __call__(self) -> datetime:
        return self.now


class World:
    def __init__(self, signed: SignedIn, clock: Clock) -> None:
        self.signed, self.clock = signed, clock
        self.client, self.headers = signed.client, signed.headers
        self.state = signed.client.app.state
        self.names = iter(NAMES)

    def get(self, who: str, path: str) -> Any:
        return self.client.get(path, headers=self.headers[who])

    def incident(self, title: str, kind: str) -> str:
        opened = self.client.post(
            "/api/v1/incidents",
            json={"title": title, "kind": kind, "severity": 2, "schools": [ROOSEVELT]},
            headers=self.headers["m.alvarez"],
        )
        assert opened.status_code == 201, opened.text
        return opened.json()["reference"]

    def people(self, ref: str, tiers: list[int]) -> list[str]:
        """Records and triages a student for each tier; a triage plans their check-ins."""
        found = []
        for tier in tiers:
            name = next(self.names)
            person, _ = self.state.people.record_person(
                ref,
                kind="student",
                school=ROOSEVELT,
                grade="10",
                how_affected="was in the class",
                identity=Identity(name=name, person_id=f"S-{NAMES.index(name):04}"),
                actor=LEAD,
            )
            self.state.people.triage(
                person,
                ref,
                factors=["emotional_proximity"],
                warning_signs=[],
                tier=tier,
                reason="knew the student",
                counselor="k.okafor",
                actor=LEAD,
            )
            found.append(person)
        return found


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    clock = Clock()
    with signed_in_app(database_url, clock=clock) as signed:
        w = World(signed, clock)
        w.open_ref = w.incident("Death of a student", "death")
        w.open_people = w.people(w.open_ref, [1] * 12 + [2] * 10 + [3] * 2)
        w.secret_ref = w.incident("Student at risk", "self-harm-risk")  # confidential by kind
        w.secret_people = w.people(w.secret_ref, [2] * 11)
        w.state.people.refer(
            w.open_people[0],
            w.open_ref,
            kind="partner",
            to="eastside-counseling",
            reason="panic attacks since the event",
            asked_to="assess this week",
            actor=LEAD,
        )
        yield w


def recovery(world: World, who: str) -> dict[str, Any]:
    got = world.get(who, "/api/v1/recovery")
    assert got.status_code == 200, got.text
    assert not PSEUDONYM.search(got.text), "a pseudonym in the recovery picture"
    assert not any(name in got.text for name in NAMES), "a name in the recovery picture"
    return got.json()


def test_a_district_leader_sees_counts_with_small_cells_hidden_and_no_confidential_people(world):
    picture = recovery(world, "r.patel")
    (roosevelt,) = picture["by_school"]
    assert roosevelt["school"] == ROOSEVELT
    # 12, 10 and 2 people: the 2 is hidden, and the 10 with it so the total does not tell.
    assert roosevelt["tiers"] == {"1": 12, "2": None, "3": None}
    assert roosevelt["people"] == 24  # the confidential case's 11 are not counted
    assert [i["incident"] for i in roosevelt["by_incident"]] == [world.open_ref]
    assert roosevelt["open_referrals"] is None  # one open referral is one person
    assert picture["confidential_left_out"] is True
    assert picture["calendar"] == {
        "loaded": False,
        "description": "No school calendar is loaded: school days are Monday to Friday",
    }
    # A crisis lead sees the confidential case whole: its 11 people, by their tier.
    lead = recovery(world, "m.alvarez")
    (roosevelt,) = lead["by_school"]
    # The 2 hides the 12 beside it, which hides the 12 of the open incident (the school's
    # would give it away), whose row then hides the 10, and so the school's 21.
    assert roosevelt["tiers"] == {"1": None, "2": None, "3": None}
    assert [i["tiers"] for i in roosevelt["by_incident"]] == [
        {"1": None, "2": None, "3": None},
        {"1": 0, "2": 11, "3": 0},
    ]
    assert roosevelt["people"] == 35
    assert {i["incident"] for i in roosevelt["by_incident"]} == {world.open_ref, world.secret_ref}
    assert lead["confidential_left_out"] is False
    # An auditor sees every case too.
    assert recovery(world, "a.kim")["totals"]["people"] == 35
    # One more student triaged on the open incident is counted at once.
    world.people(world.open_ref, [1])
    after = recovery(world, "r.patel")["by_school"][0]
    assert after["people"] == 25 and after["tiers"]["1"] == 13


def test_check_ins_done_against_due_and_overdue_week_by_week(world):
    world.clock.now += timedelta(days=10)  # Thu 3 Dec: the first week's check-ins are past due
    before = recovery(world, "r.patel")
    overdue = before["totals"]["overdue_check_ins"]
    assert overdue > 0 and before["totals"]["check_ins_done"] == 0
    assert before["totals"]["check_ins_due"] == overdue  # nothing done, nothing due right now
    assert sum(w["missed"] for w in before["weeks"]) == overdue
    assert before["weeks"][-1]["week_of"] == "2026-11-30"  # this week, Monday first
    # k.okafor records one of a student's check-ins on the incident the leader sees.
    due = [
        c
        for c in world.state.follow_ups_due.for_owner("k.okafor", world.clock.now)
        if c.overdue and c.incident_ref == world.open_ref
    ]
    done = world.client.post(
        f"/api/v1/follow-ups/{due[0].person_ref}/{world.open_ref}/check-ins/{due[0].check_in_id}",
        json={"outcome": "seen_no_concern", "note": "Talked at lunch"},
        headers=world.headers["k.okafor"],
    )
    assert done.status_code == 200, done.text
    after = recovery(world, "r.patel")
    assert after["totals"]["check_ins_done"] == 1
    assert after["totals"]["overdue_check_ins"] == overdue - 1
    assert after["by_school"][0]["overdue_check_ins"] == overdue - 1
    assert sum(w["done"] for w in after["weeks"]) == 1
    # A check-in on the confidential case is not in the leader's figures.
    secret = [
        c
        for c in world.state.follow_ups_due.for_owner("k.okafor", world.clock.now)
        if c.overdue and c.incident_ref == world.secret_ref
    ]
    world.client.post(
        f"/api/v1/follow-ups/{secret[0].person_ref}/{world.secret_ref}/check-ins/"
        f"{secret[0].check_in_id}",
        json={"outcome": "seen_no_concern", "note": "Talked after class"},
        headers=world.headers["k.okafor"],
    )
    assert recovery(world, "r.patel")["totals"]["check_ins_done"] == 1
    assert recovery(world, "m.alvarez")["totals"]["check_ins_done"] == 2


def test_responders_and_partners_are_refused(world):
    for who in ("k.okafor", "j.brooks"):
        api = world.get(who, "/api/v1/recovery")
        assert api.status_code == 403, api.text
        assert "may not see the totals across schools" in api.json()["error"]
        page = world.get(who, "/recovery")
        assert page.status_code == 403
        assert 'href="/recovery"' not in world.get(who, "/").text


def test_the_page_shows_counts_hidden_cells_and_the_calendar_without_names(world):
    page = world.get("r.patel", "/recovery")
    assert page.status_code == 200
    text = page.text
    assert not PSEUDONYM.search(text) and not any(name in text for name in NAMES)
    assert "24 people in recovery" in text
    assert ROOSEVELT in text and world.open_ref in text and world.secret_ref not in text
    assert '<span class="hidden-count">hidden</span>' in text
    assert "a count of 1 to 9 people (fewer than 10) is never shown" in text
    assert "Confidential cases you may only count are not in any figure" in text
    assert "No school calendar is loaded: school days are Monday to Friday." in text
    assert "Check-ins week by week" in text
    # Linked from the summary and the header.
    summary = world.get("r.patel", "/summary").text
    assert 'id="summary-recovery"' in summary and summary.count('href="/recovery"') == 2
    # Once the district's calendar is imported, the page says which one school days count on.
    world.state.calendars.import_text(DEMO_CALENDAR.read_text(encoding="utf-8"), actor=ADMIN)
    text = world.get("r.patel", "/recovery").text
    assert "School days are counted on Riverside USD 2026-27 calendar" in text
    assert recovery(world, "r.patel")["calendar"]["loaded"] is True


def card_line(html: str, ref: str) -> str | None:
    found = re.search(rf'id="card-{ref}-recovery">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)) if found else None


def test_the_board_card_shows_recovery_progress_to_those_who_see_the_incident_whole(world):
    world.clock.now += timedelta(days=10)
    overdue = recovery(world, "m.alvarez")["by_school"][0]["overdue_check_ins"]
    board = world.get("m.alvarez", "/").text
    line = card_line(board, world.open_ref)
    assert line is not None and line.startswith("Recovery: 24 people · 0 of ")
    secret = card_line(board, world.secret_ref)
    assert secret is not None and secret.startswith("Recovery: 11 people")
    open_overdue = int(re.search(r"(\d+) overdue", line).group(1))
    secret_overdue = int(re.search(r"(\d+) overdue", secret).group(1))
    assert open_overdue + secret_overdue == overdue
    # The card the live board fetches after a change says the same.
    one = world.get("m.alvarez", f"/incidents/{world.open_ref}/card").text
    assert card_line(one, world.open_ref) == line
    # A check-in recorded shows on the card the board fetches next.
    due = next(
        c
        for c in world.state.follow_ups_due.for_owner("k.okafor", world.clock.now)
        if c.overdue and c.incident_ref == world.open_ref
    )
    recorded = world.client.post(
        f"/api/v1/follow-ups/{due.person_ref}/{world.open_ref}/check-ins/{due.check_in_id}",
        json={"outcome": "seen_no_concern", "note": "Talked at lunch"},
        headers=world.headers["k.okafor"],
    )
    assert recorded.status_code == 200, recorded.text
    total = int(re.search(r"of (\d+) check-ins", line).group(1))
    line = card_line(
        world.get("m.alvarez", f"/incidents/{world.open_ref}/card").text, world.open_ref
    )
    assert f"· 1 of {total} check-ins done · {open_overdue - 1} overdue" in line
    # A district leader: the open incident's card, and no card (a count) for the secret one.
    leader = world.get("r.patel", "/").text
    assert card_line(leader, world.open_ref) == line
    assert f"card-{world.secret_ref}" not in leader
    # A partner the incident is shared with sees its card without the recovery line.
    shared = world.client.post(
        f"/api/v1/incidents/{world.open_ref}/shares",
        json={"organisation": "eastside-counseling"},
        headers=world.headers["m.alvarez"],
    )
    assert shared.status_code == 201, shared.text
    partner = world.get("j.brooks", "/").text
    assert f'id="card-{world.open_ref}"' in partner
    assert card_line(partner, world.open_ref) is None and "Recovery:" not in partner
    partner_card = world.get("j.brooks", f"/incidents/{world.open_ref}/card").text
    assert "Recovery:" not in partner_card
    # An incident no one is recorded on has no recovery line.
    quiet = world.incident("Power cut", "other")
    assert card_line(world.get("m.alvarez", "/").text, quiet) is None
