"""The district's picture of recovery across schools, without names: people by tier per school
and incident, check-ins done against due, overdue, and open referrals, week by week.

It is an aggregated report, so it follows the district's small-cell rule (docs/domain.md,
"Privacy and need-to-know"): a count of people between 1 and 9 is hidden (None), never shown
as its number, and so is any count that would let a hidden one be worked out by subtraction:
in a row (the tiers and its total), and down a column (a school's incidents and the school's
count, the schools and the district's). Check-ins are counts of the team's work, not of people,
and are shown whole."""

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


class _Cell:
    """One count of people, and whether it is hidden."""

    __slots__ = ("hidden", "n")

    def __init__(self, n: int) -> None:
        self.n = n
        self.hidden = 0 < n < SMALL_CELL

    @property
    def shown(self) -> int | None:
        return None if self.hidden else self.n


KEYS = (*(str(t) for t in TIERS), "not_triaged")  # a row's cells; "people" is its total


def _cells(people: Iterable[PersonInRecovery]) -> dict[str, _Cell]:
    by_tier = Counter(p.tier for p in people)
    counts = [by_tier[t] for t in TIERS] + [by_tier[None]]
    cells = {key: _Cell(n) for key, n in zip(KEYS, counts, strict=True)}
    cells["people"] = _Cell(sum(counts))
    return cells


@dataclass(frozen=True)
class _Line:
    """Counts that add up to a total: a row's tiers to its people, or one column of the rows
    under a school (or of the schools) to the school's (or the district's)."""

    parts: list[_Cell]
    total: _Cell
    hide_total_first: bool  # a column: hide the total, keep the finer rows readable


def _protect(lines: list[_Line]) -> None:
    """Until no line has exactly one hidden count (which its total, less the others, would
    give away): hide one more in each such line, its total first for a column, else its
    smallest other count. Hiding only grows, so this ends."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [*line.parts, line.total]
            if sum(c.hidden for c in cells) != 1:
                continue
            others = [c for c in line.parts if not c.hidden and c.n > 0]
            if line.total.hidden:
                chosen = min(others, key=lambda c: c.n) if others else None
            elif line.hide_total_first or not others:
                chosen = line.total
            else:
                chosen = min(others, key=lambda c: c.n)
            if chosen is not None:
                chosen.hidden = changed = True


def _row_lines(rows: list[dict[str, _Cell]]) -> list[_Line]:
    return [_Line([r[k] for k in KEYS], r["people"], False) for r in rows]


def _column_lines(parts: list[dict[str, _Cell]], total: dict[str, _Cell]) -> list[_Line]:
    return [_Line([p[k] for p in parts], total[k], True) for k in (*KEYS, "people")]


def _shown(label: dict[str, str], cells: dict[str, _Cell]) -> dict[str, Any]:
    return {
        **label,
        "tiers": {str(t): cells[str(t)].shown for t in TIERS},
        "not_triaged": cells["not_triaged"].shown,
        "people": cells["people"].shown,
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

    # Every count of people, then hidden together: a school's row is the sum of its
    # incidents' rows and the district's of the schools', so a count hidden in one row could
    # be worked out from the rows beside it and their total unless one more is hidden there.
    totals = _cells(people)
    school_cells: dict[str, dict[str, _Cell]] = {}
    incident_cells: dict[str, dict[str, dict[str, _Cell]]] = {}
    referral_cells: dict[str, _Cell] = {}
    lines: list[_Line] = []
    for school in schools:
        here = [p for p in people if p.school == school]
        school_cells[school] = _cells(here)
        incident_cells[school] = {
            ref: _cells(p for p in here if p.incident_ref == ref)
            for ref in sorted({p.incident_ref for p in here})
        }
        referral_cells[school] = _Cell(sum(1 for r in referrals if r.school == school and r.open))
        under = list(incident_cells[school].values())
        lines += _row_lines([school_cells[school], *under])
        lines += _column_lines(under, school_cells[school])
    lines += _row_lines([totals])
    lines += _column_lines(list(school_cells.values()), totals)
    referral_total = _Cell(sum(1 for r in referrals if r.open))
    lines.append(_Line(list(referral_cells.values()), referral_total, True))
    _protect(lines)

    by_school = [
        {
            **_shown({"school": school}, school_cells[school]),
            "by_incident": [
                _shown({"incident": ref}, cells) for ref, cells in incident_cells[school].items()
            ],
            "open_referrals": referral_cells[school].shown,
            "overdue_check_ins": sum(
                1 for c in check_ins if c.school == school and c.recorded_at is None and c.due < now
            ),
        }
        for school in schools
    ]

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
            **_shown({}, totals),
            "open_referrals": referral_total.shown,
            "overdue_check_ins": sum(1 for c in check_ins if c.recorded_at is None and c.due < now),
            "check_ins_due": sum(1 for c in check_ins if c.due <= now),
            "check_ins_done": sum(1 for c in check_ins if c.recorded_at is not None),
        },
        "by_school": by_school,
        "weeks": week_rows,
    }
