"""The district's recovery picture: counts without names, small cells hidden."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from service.recovery.district import (
    CheckInState,
    PersonInRecovery,
    ReferralState,
    district_recovery,
    suppressed,
)

ZONE = ZoneInfo("America/Chicago")
NOW = datetime(2026, 11, 18, 18, 0, tzinfo=UTC)  # a Wednesday


def people(school, incident, tiers):
    return [
        PersonInRecovery(f"P-{school[:1]}{incident[-1]}{i:03}", incident, school, tier)
        for i, tier in enumerate(tiers)
    ]


def test_a_small_cell_is_hidden_and_so_is_what_would_give_it_away():
    assert suppressed([0, 12, 14]) == [0, 12, 14]
    assert suppressed([3, 12, 14]) == [None, None, 14]  # 12 hidden too: the total would tell
    assert suppressed([3, 4, 20]) == [None, None, 20]
    assert suppressed([3, 0, 0]) == [None, 0, 0]


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
