"""My follow-ups as the API and the page give it: the check-ins the person may record, grouped
by when they fall due in the district's local days (overdue, today, this week, later)."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.check_ins import OUTCOMES
from domain.follow_up_plan import TIER_NAMES
from service.follow_ups.due import DueCheckIn, FollowUpsDue
from service.work.due_days import DUE_GROUPS, due_group

GROUPS = {k: v for k, v in DUE_GROUPS.items() if k != "no_due_date"}  # a check-in has a day


def check_in_row(row: DueCheckIn, now: datetime, zone: ZoneInfo) -> dict[str, Any]:
    return {
        "person_ref": row.person_ref,
        "incident_ref": row.incident_ref,
        "check_in_id": row.check_in_id,
        "label": row.label,
        "milestone": row.milestone,
        "tier": row.tier,
        "tier_name": TIER_NAMES[row.tier],
        "owner": row.owner,
        "due": row.due.astimezone(zone).isoformat(),
        "overdue": row.overdue,
        "group": due_group(row.due, now, zone),
    }


def follow_ups_of(
    account: Account, due: FollowUpsDue, now: datetime, zone: ZoneInfo
) -> dict[str, Any]:
    rows = [check_in_row(r, now, zone) for r in due.for_viewer(account, now)]
    return {
        "as_of": now.astimezone(zone).isoformat(),
        "position": due.position,
        "total": len(rows),
        "overdue": sum(1 for r in rows if r["overdue"]),
        "outcomes": dict(OUTCOMES),
        "groups": [
            {"group": key, "title": title, "check_ins": [r for r in rows if r["group"] == key]}
            for key, title in GROUPS.items()
        ],
    }
