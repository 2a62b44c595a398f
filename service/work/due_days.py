"""When an open task falls due, as a person in the district counts days: overdue, today, this
week (the rest of it, to Sunday), later, or no due time at all. Days are the district's local
days (STEADY_TIMEZONE), not UTC's: a task due at 19:00 in Chicago is due today there, though it
is tomorrow in UTC."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

# In the order My work lists them: what is late first, then what comes soonest.
DUE_GROUPS: dict[str, str] = {
    "overdue": "Overdue",
    "today": "Due today",
    "this_week": "Due this week",
    "later": "Later",
    "no_due_date": "No due date",
}


def due_group(due_at: datetime | None, now: datetime, zone: ZoneInfo) -> str:
    if due_at is None:
        return "no_due_date"
    if due_at < now:
        return "overdue"
    due_day = due_at.astimezone(zone).date()
    today = now.astimezone(zone).date()
    if due_day == today:
        return "today"
    sunday = today + timedelta(days=6 - today.weekday())
    return "this_week" if due_day <= sunday else "later"
