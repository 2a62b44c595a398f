"""The drill log: one row per school of every drill, with what state rules ask a drill record to
hold (school, date and time, type, participants, duration), for the page, the JSON API and the
CSV export.

Who may keep it (view_drill_log): crisis leads, district leaders and auditors for the district
(the drills they see whole), school administrators (responders who hold a principal's or an
assistant principal's position) for their own schools' rows only; never partners."""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.errors import InvalidValue
from domain.incident import Incident
from domain.kinds import KINDS
from domain.organisation import school_key
from service.access.need_to_know import Sight, Viewer, sight
from service.access.permissions import Forbidden, Scope, scopes
from service.timelines.reading import FORMULA_STARTS

ACTION = "view_drill_log"
# The positions of a school's administrators: a responder who holds one keeps their schools' log.
SCHOOL_ADMINISTRATOR_POSITIONS = frozenset({"principal", "assistant-principal"})
CSV_HEADER = (
    "school",
    "date",
    "time",
    "time_zone",
    "type",
    "participants",
    "duration_minutes",
    "reference",
    "title",
    "status",
)


def school_year_of(day: date) -> str:
    """The school year a day falls in, July to June: 2026-09-14 is in "2026-27"."""
    start = day.year if day.month >= 7 else day.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


# Every school year a drill can fall in: moments are taken from 1970 to 2100 (domain.moments).
SCHOOL_YEARS = tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(1969, 2100))


def check_school_year(text: str) -> str:
    """A school year as the filter takes it, "2026-27"; a clear refusal otherwise."""
    text = text.strip()
    if text in SCHOOL_YEARS:
        return text
    raise InvalidValue(
        f"school year {text!r} is not one: write it as the first year and the next, "
        "such as 2026-27 (July to June)",
        "school_year",
    )


def minutes(span: timedelta | None) -> int | None:
    """A duration in whole minutes, rounded up: a drill of 4 min 10 s is logged as 5."""
    if span is None:
        return None
    return -(-int(span.total_seconds()) // 60)


@dataclass(frozen=True)
class DrillLogRow:
    school: str
    started_at: datetime  # the drill's start: when it was opened
    kind: str
    participants: int | None
    duration: timedelta | None  # start to close; None while it is under way
    reference: str
    title: str
    closed: bool

    def as_dict(self, zone: ZoneInfo) -> dict[str, Any]:
        local = self.started_at.astimezone(zone)
        return {
            "school": self.school,
            "school_year": school_year_of(local.date()),
            "started_at": local.isoformat(),
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "type": self.kind,
            "type_label": KINDS.get(self.kind, self.kind),
            "participants": self.participants,
            "duration_minutes": minutes(self.duration),
            "reference": self.reference,
            "title": self.title,
            "status": "closed" if self.closed else "under way",
        }


def keeps_drill_log(account: Account) -> bool:
    """Whether the account keeps some drill log (for the pages to show the link or not)."""
    try:
        return bool(may_keep(account))
    except Forbidden:
        return False


def may_keep(account: Account) -> frozenset[Scope]:
    """The scopes in which the account keeps the drill log; Forbidden if none. A responder
    keeps it only as a school administrator."""
    found = scopes(account.roles, ACTION) if not account.disabled else frozenset()
    if found == {Scope.SCHOOL} and not SCHOOL_ADMINISTRATOR_POSITIONS & set(account.positions):
        found = frozenset()
    if not found:
        raise Forbidden(
            f"{account.username} ({', '.join(account.roles)}) may not see the drill log: it is "
            "kept by crisis leads, district leaders, auditors and school administrators"
        )
    return found


def drill_log(
    account: Account,
    viewer: Viewer,
    incidents: Iterable[Incident],
    *,
    school: str = "",
    school_year: str = "",
    zone: ZoneInfo,
) -> list[DrillLogRow]:
    """The drills this person keeps the log of, a row per school, newest first; `school` (a
    name or id) and `school_year` ("2026-27") narrow it."""
    found = may_keep(account)
    district_wide = Scope.ALL in found
    wanted_school = school_key(school) if school.strip() else ""
    year = check_school_year(school_year) if school_year.strip() else ""
    rows = []
    for incident in incidents:
        if not incident.drill or sight(viewer, incident) != Sight.WHOLE:
            continue
        started = incident.created_on
        if year and school_year_of(started.astimezone(zone).date()) != year:
            continue
        for name in incident.schools:
            key = school_key(name)
            if not district_wide and key not in viewer.schools:
                continue  # a school administrator keeps their own schools' log
            if wanted_school and key != wanted_school:
                continue
            rows.append(
                DrillLogRow(
                    school=name,
                    started_at=started,
                    kind=incident.kind,
                    participants=incident.participants.count if incident.participants else None,
                    duration=incident.drill_times().to_close,
                    reference=incident.reference,
                    title=incident.title,
                    closed=incident.closed,
                )
            )
    rows.sort(key=lambda r: (r.started_at, r.school.casefold()), reverse=True)
    return rows


def drill_log_csv(rows: Iterable[DrillLogRow], zone: ZoneInfo) -> str:
    """The log as CSV: a header row, then a row per school of each drill (quoted as needed; a
    cell that a spreadsheet would read as a formula is prefixed with an apostrophe)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        shown = row.as_dict(zone)
        writer.writerow(
            [
                _cell(shown["school"]),
                shown["date"],
                shown["time"],
                zone.key,
                shown["type_label"],
                "" if shown["participants"] is None else shown["participants"],
                "" if shown["duration_minutes"] is None else shown["duration_minutes"],
                shown["reference"],
                _cell(shown["title"]),
                shown["status"],
            ]
        )
    return out.getvalue()


def _cell(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text
