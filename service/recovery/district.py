"""The district's picture of recovery across schools, without names: people by tier per school
and incident, check-ins done against due, overdue, and open referrals, week by week.

It is an aggregated report, so it follows the district's small-cell rule (docs/domain.md,
"Privacy and need-to-know"): a count of people between 1 and 9 is shown as "fewer than 10",
never as its number, and a total that would let a hidden cell be worked out by subtraction is
hidden with it. Check-ins are counts of the team's work, not of people, and are shown whole."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

SMALL_CELL = 10  # fewer people than this in a cell could be recognised
TIERS = (1, 2, 3)


@dataclass(frozen=True)
class PersonInRecovery:
    """One affected person on one incident, as the report counts them."""

    person_ref: str
    incident_ref: str
    school: str
    tier: int | None  # None until triaged


@dataclass(frozen=True)
class CheckInState:
    person_ref: str
    incident_ref: str
    school: str
    due: datetime
    recorded_at: datetime | None


@dataclass(frozen=True)
class ReferralState:
    person_ref: str
    incident_ref: str
    school: str
    open: bool


def suppressed(counts: list[int]) -> list[int | None]:
    """The counts of one row with small cells hidden (None). When exactly one cell is hidden, the
    smallest other non-zero cell is hidden too, so the row's total does not give it away."""
    shown: list[int | None] = [None if 0 < n < SMALL_CELL else n for n in counts]
    hidden = [i for i, n in enumerate(shown) if n is None]
    if len(hidden) == 1:
        others = [(n, i) for i, n in enumerate(counts) if i not in hidden and n > 0]
        if others:
            shown[min(others)[1]] = None
    return shown


def _row(label: dict[str, str], people: Iterable[PersonInRecovery]) -> dict[str, Any]:
    by_tier = Counter(p.tier for p in people)
    counts = [by_tier[t] for t in TIERS] + [by_tier[None]]
    total = sum(counts)
    cells = suppressed(counts)
    row_total: int | None = total if total == 0 or total >= SMALL_CELL else None
    return {
        **label,
        "tiers": {str(t): cells[i] for i, t in enumerate(TIERS)},
        "not_triaged": cells[-1],
        "people": row_total,
    }


def _week_of(moment: datetime, zone: ZoneInfo) -> date:
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def district_recovery(
    people: Iterable[PersonInRecovery],
    check_ins: Iterable[CheckInState],
    referrals: Iterable[ReferralState],
    *,
    now: datetime,
    zone: ZoneInfo,
    weeks: int = 8,
) -> dict[str, Any]:
    """Over what the caller lets the viewer count (incidents they see whole). Week by week: the
    `weeks` weeks up to and including this one, Monday first, in the district's days."""
    people = list(people)
    check_ins = list(check_ins)
    referrals = list(referrals)
    schools = sorted({p.school for p in people} | {c.school for c in check_ins}, key=str.casefold)

    by_school = []
    for school in schools:
        here = [p for p in people if p.school == school]
        incidents = sorted({p.incident_ref for p in here})
        by_school.append(
            {
                **_row({"school": school}, here),
                "by_incident": [
                    _row({"incident": ref}, [p for p in here if p.incident_ref == ref])
                    for ref in incidents
                ],
                "open_referrals": suppressed(
                    [sum(1 for r in referrals if r.school == school and r.open)]
                )[0],
                "overdue_check_ins": sum(
                    1
                    for c in check_ins
                    if c.school == school and c.recorded_at is None and c.due < now
                ),
            }
        )

    this_week = _week_of(now, zone)
    starts = [this_week - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    week_rows = []
    for start in starts:
        in_week = [c for c in check_ins if _week_of(c.due, zone) == start and c.due <= now]
        done = [c for c in in_week if c.recorded_at is not None]
        week_rows.append(
            {
                "week_of": start.isoformat(),
                "due": len(in_week),
                "done": len(done),
                "missed": sum(1 for c in in_week if c.recorded_at is None),
            }
        )

    return {
        "as_of": now.isoformat(),
        "small_cell": SMALL_CELL,
        "totals": {
            **_row({}, people),
            "open_referrals": suppressed([sum(1 for r in referrals if r.open)])[0],
            "overdue_check_ins": sum(1 for c in check_ins if c.recorded_at is None and c.due < now),
            "check_ins_due": sum(1 for c in check_ins if c.due <= now),
            "check_ins_done": sum(1 for c in check_ins if c.recorded_at is not None),
        },
        "by_school": by_school,
        "weeks": week_rows,
    }
