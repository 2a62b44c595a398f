"""The triage rule (a warning sign calls for immediate referral: tier 3, and the reason says
why) and the rules of an affected person's record: pseudonyms, kinds and grades, incidents,
referrals and what may happen to an identity."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.affected_person import AffectedPerson
from domain.errors import DomainError
from domain.people import Actor
from domain.person_reference import PersonSequence, check_person_reference
from domain.school_days import SchoolClock
from domain.triage import Tier, decide_tier
from service.people.commands import urgent_due, urgent_title

LEAD = Actor("m.alvarez", "crisis-lead")
AT = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
INC = "INC-2026-0007"


def person(**overrides) -> AffectedPerson:
    fields = {
        "reference": "P-0007",
        "kind": "student",
        "school": "Roosevelt High School",
        "grade": "10",
        "incident_ref": INC,
        "how_affected": "in the next classroom",
        "actor": LEAD,
        "at": AT,
    }
    return AffectedPerson.record(**{**fields, **overrides})


@pytest.mark.parametrize("asked", [1, 2])
def test_a_warning_sign_raises_the_tier_to_intensive_and_says_why(asked):
    decided = decide_tier(asked, "lost a close friend", ["re-experiencing", "panic"])
    assert decided.tier is Tier.INTENSIVE and decided.raised
    assert decided.reason == (
        f"Raised to tier 3 (intensive) from {Tier(asked).label}: warning signs call for "
        "immediate referral (panic, re-experiencing). lost a close friend"
    )


def test_without_warning_signs_the_tier_asked_for_stands_and_tier_3_is_not_raised():
    assert decide_tier(2, "a friend of the family", []).tier is Tier.TARGETED
    asked_3 = decide_tier("3", "saw it happen", ["panic"])
    assert asked_3.tier is Tier.INTENSIVE and not asked_3.raised
    assert asked_3.reason == "saw it happen"


@pytest.mark.parametrize(
    ("tier", "reason", "signs", "words"),
    [
        (4, "x", [], r"give 1 \(universal\), 2 \(targeted\) or 3"),
        (True, "x", [], "is not a tier"),
        (1, "  ", [], "say why this tier"),
        (1, "x", ["sadness"], "choose from dissociation, panic"),
        (1, "x", "panic", "must be a list"),
    ],
)
def test_a_triage_that_cannot_be_taken_says_what_to_give(tier, reason, signs, words):
    with pytest.raises(DomainError, match=words):
        decide_tier(tier, reason, signs)


def test_re_triage_is_a_new_event_and_the_latest_tier_counts():
    p = person()
    p.triage(INC, factors=[], warning_signs=["avoidance"], tier=1, reason="a", actor=LEAD, at=AT)
    later = AT + timedelta(days=7)
    p.triage(INC, factors=["emotional_proximity"], warning_signs=[], tier=2, reason="better",
             actor=LEAD, at=later)  # fmt: skip
    assert [t.tier for t in p.triages] == [Tier.INTENSIVE, Tier.TARGETED]
    assert p.tier(INC) is Tier.TARGETED
    kinds = [type(e).__name__ for e in p.collect_events()]
    assert kinds == ["Recorded", "AffectedBy", "Triaged", "Triaged"]


def test_the_record_refuses_what_cannot_be_so():
    with pytest.raises(DomainError, match="give one of student, staff, family"):
        person(kind="visitor")
    with pytest.raises(DomainError, match="grade is for students only"):
        person(kind="staff", grade="3")
    with pytest.raises(DomainError, match="give one of PK, K, 1"):
        person(grade="13")
    with pytest.raises(DomainError, match="write it as P-0007"):
        check_person_reference("Jordan")
    p = person()
    with pytest.raises(DomainError, match="already recorded on INC-2026-0007"):
        p.add_to_incident(INC, "again", actor=LEAD, at=AT)
    with pytest.raises(DomainError, match="not recorded on INC-2026-0008: add them to it first"):
        p.triage("INC-2026-0008", factors=[], warning_signs=[], tier=1, reason="a",
                 actor=LEAD, at=AT)  # fmt: skip


def test_pseudonyms_come_from_one_district_wide_sequence():
    sequence = PersonSequence.start()
    assert [sequence.next_reference() for _ in range(3)] == ["P-0001", "P-0002", "P-0003"]


def test_referrals_move_open_accepted_closed_and_an_identity_is_shared_only_with_the_referred():
    p = person()
    p.identity_recorded(actor=LEAD, at=AT)
    with pytest.raises(DomainError, match="no open referral to eastside-counseling"):
        p.share_identity("eastside-counseling", actor=LEAD, at=AT)
    referral = p.refer(INC, kind="partner", to="Eastside-Counseling", reason="panic",
                       asked_to="assess", actor=LEAD, at=AT)  # fmt: skip
    assert (referral.id, referral.to, referral.status) == ("R1", "eastside-counseling", "open")
    p.share_identity("eastside-counseling", actor=LEAD, at=AT)
    assert p.shared_with == {"eastside-counseling"}
    p.move_referral("R1", "accepted", actor=LEAD, at=AT)
    with pytest.raises(DomainError, match="it can move to closed"):
        p.move_referral("R1", "accepted", actor=LEAD, at=AT)
    p.move_referral("r1", "closed", note="seen weekly", actor=LEAD, at=AT)
    assert p.shared_with == set()  # the work is over: so is the sharing
    with pytest.raises(DomainError, match="it can move to nothing: it is closed"):
        p.move_referral("R1", "accepted", actor=LEAD, at=AT)


def test_an_erased_identity_cannot_be_recorded_seen_or_shared_again():
    p = person()
    with pytest.raises(DomainError, match="nothing to erase"):
        p.erase_identity("asked", actor=LEAD, at=AT)
    p.identity_recorded(actor=LEAD, at=AT)
    p.identity_viewed("page", actor=LEAD, at=AT)
    p.erase_identity("the family asked", actor=Actor("admin", "admin"), at=AT)
    for change in (
        lambda: p.identity_recorded(actor=LEAD, at=AT),
        lambda: p.identity_viewed("page", actor=LEAD, at=AT),
        lambda: p.erase_identity("again", actor=LEAD, at=AT),
    ):
        with pytest.raises(DomainError, match="was erased"):
            change()
    assert p.reference == "P-0007" and p.erased is not None and p.erased[1] == "the family asked"


def test_the_urgent_task_is_due_by_the_end_of_the_school_day():
    zone = ZoneInfo("America/Chicago")
    clock = SchoolClock(zone)

    def local(day: int, hour: int) -> datetime:
        return datetime(2026, 10, day, hour, 0, tzinfo=zone)

    assert urgent_due(clock, local(5, 7)) == local(5, 15)  # Monday before school: today
    assert urgent_due(clock, local(5, 14)) == local(5, 15)  # Monday in school: today
    assert urgent_due(clock, local(9, 16)) == local(12, 15)  # Friday after school: Monday
    assert urgent_due(clock, local(10, 11)) == local(12, 15)  # Saturday: Monday
    assert urgent_title("P-0007") == "Refer P-0007 to intensive support today"
