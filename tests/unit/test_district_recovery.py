"""The district's recovery picture: counts without names, small cells hidden."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from service.recovery.district import (
    CheckInState,
    PersonInRecovery,
    ReferralState,
    district_recovery,
)

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)  # a Wednesday


def people(school, incident, tiers):
    return [
        PersonInRecovery(f"P-{school[:1]}{incident[-1]}{i:03}", incident, school, tier)
        for i, tier in enumerate(tiers)
    ]


def tiers_shown(tiers: list[int]) -> list[int | None]:
    """One school's row of people by tier 1, 2 and 3, as the report shows it."""
    crowd = people("Lincoln High", "INC-2026-0001", tiers)
    row = district_recovery(crowd, [], [], now=NOW, zone=ZONE)["by_school"][0]
    return [row["tiers"][t] for t in ("1", "2", "3")]


def test_a_small_cell_is_hidden_and_so_is_what_would_give_it_away():
    assert tiers_shown([2] * 12 + [3] * 14) == [0, 12, 14]
    # 12 hidden too: the total would tell
    assert tiers_shown([1] * 3 + [2] * 12 + [3] * 14) == [None, None, 14]
    assert tiers_shown([1] * 3 + [2] * 4 + [3] * 20) == [None, None, 20]
    assert tiers_shown([1] * 3) == [None, 0, 0]


def test_people_by_tier_per_school_and_incident_never_show_a_count_under_ten():
    crowd = people("Lincoln High", "INC-2026-0001", [1] * 12 + [2] * 10 + [3] * 3)
    crowd += people("Lincoln High", "INC-2026-0002", [1] * 11)
    crowd += people("Oak Elementary", "INC-2026-0003", [1, 3])
    report = district_recovery(crowd, [], [], now=NOW, zone=ZONE)
    lincoln, oak = report["by_school"]
    assert lincoln["school"] == "Lincoln High"
    assert lincoln["tiers"] == {"1": 23, "2": None, "3": None}  # 10 hidden with the 3
    assert lincoln["not_triaged"] == 0
    assert lincoln["people"] == 36
    first, second = lincoln["by_incident"]
    assert first["tiers"] == {"1": 12, "2": None, "3": None} and first["people"] == 25
    assert second["tiers"] == {"1": 11, "2": 0, "3": 0} and second["people"] == 11
    # Two people at a school: no figure about them is shown, only that there are a few.
    assert oak["tiers"] == {"1": None, "2": 0, "3": None} and oak["people"] is None
    assert "P-" not in repr(report)


def test_check_ins_done_against_due_week_by_week_and_overdue_now():
    day = timedelta(days=1)
    check_ins = [
        CheckInState("P-0001", "INC-2026-0001", "Lincoln High", NOW - 9 * day, NOW - 9 * day),
        CheckInState("P-0001", "INC-2026-0001", "Lincoln High", NOW - 8 * day, None),
        CheckInState("P-0002", "INC-2026-0001", "Lincoln High", NOW - day, NOW),
        CheckInState("P-0002", "INC-2026-0001", "Lincoln High", NOW - 2 * day, None),
        CheckInState("P-0002", "INC-2026-0001", "Lincoln High", NOW + day, None),  # ahead
    ]
    referrals = [
        ReferralState("P-0001", "INC-2026-0001", "Lincoln High", True),
        ReferralState("P-0002", "INC-2026-0001", "Lincoln High", False),
    ]
    report = district_recovery([], check_ins, referrals, now=NOW, zone=ZONE, weeks=3)
    assert [w["week_of"] for w in report["weeks"]] == ["2026-11-02", "2026-11-09", "2026-11-16"]
    assert [(w["due"], w["done"], w["missed"]) for w in report["weeks"]] == [
        (0, 0, 0),
        (2, 1, 1),
        (2, 1, 1),
    ]
    assert report["totals"]["overdue_check_ins"] == 2
    assert report["totals"]["check_ins_due"] == 4
    assert report["by_school"][0]["overdue_check_ins"] == 2
    assert report["totals"]["open_referrals"] is None  # one open referral is a person


def test_a_hidden_count_cannot_be_worked_out_from_the_rows_beside_it_and_their_total():
    # Lincoln's counts are all large; Oak's 2 people are hidden. Were the district's totals
    # shown whole, Oak's tier 1 would be the total's less Lincoln's.
    crowd = people("Lincoln High", "INC-2026-0001", [1] * 12 + [2] * 11 + [3] * 10)
    crowd += people("Oak Elementary", "INC-2026-0002", [1, 1])
    report = district_recovery(crowd, [], [], now=NOW, zone=ZONE)
    lincoln, oak = report["by_school"]
    assert lincoln["tiers"] == {"1": 12, "2": 11, "3": 10} and lincoln["people"] == 33
    assert oak["tiers"] == {"1": None, "2": 0, "3": 0} and oak["people"] is None
    totals = report["totals"]
    assert totals["tiers"]["1"] is None and totals["people"] is None
    assert totals["tiers"]["2"] == 11 and totals["tiers"]["3"] == 10


def test_an_incident_hidden_under_a_school_hides_what_the_schools_total_would_give_away():
    crowd = people("Lincoln High", "INC-2026-0001", [1] * 12)
    crowd += people("Lincoln High", "INC-2026-0002", [1] * 3)
    crowd += people("Oak Elementary", "INC-2026-0003", [1] * 20)
    report = district_recovery(crowd, [], [], now=NOW, zone=ZONE)
    lincoln, oak = report["by_school"]
    first, second = lincoln["by_incident"]
    assert first["tiers"]["1"] == 12 and second["tiers"]["1"] is None
    # Lincoln's 15 would give away the 3 (15 - 12): hidden, and so its total.
    assert lincoln["tiers"]["1"] is None and lincoln["people"] is None
    # And the district's, which less Oak's 20 would give Lincoln's.
    assert oak["tiers"]["1"] == 20
    assert report["totals"]["tiers"]["1"] is None and report["totals"]["people"] is None


def test_open_referrals_hidden_at_one_school_are_hidden_in_the_district_total():
    crowd = people("Lincoln High", "INC-2026-0001", [1] * 12) + people(
        "Oak Elementary", "INC-2026-0002", [1] * 12
    )
    referrals = [ReferralState(p.person_ref, p.incident_ref, p.school, True) for p in crowd[:10]]
    referrals += [ReferralState(crowd[-1].person_ref, "INC-2026-0002", "Oak Elementary", True)]
    report = district_recovery(crowd, [], referrals, now=NOW, zone=ZONE)
    lincoln, oak = report["by_school"]
    assert (lincoln["open_referrals"], oak["open_referrals"]) == (10, None)
    assert report["totals"]["open_referrals"] is None  # 11 less Lincoln's 10 would tell
