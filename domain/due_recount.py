"""Counting a task's due date again when the school calendar changes: which tasks move, and to
when. Only a date counted in school days from a playbook step, still ahead, of a task still
open, and not set by hand since, is counted again; an overdue or settled task keeps its date,
and a lead's own reschedule is theirs to change."""

from collections.abc import Mapping
from datetime import datetime

from domain.errors import DomainError
from domain.milestones import RecordedMilestone
from domain.schedule import Offset
from domain.school_days import SchoolClock
from domain.task import Task

CALENDAR_CHANGED = "the school calendar changed"


def recounted_due(
    task: Task,
    *,
    occurred_at: datetime,
    milestones: Mapping[str, RecordedMilestone],
    clock: SchoolClock,
    now: datetime,
) -> datetime | None:
    """The task's new due date on `clock`'s calendar, or None when it stays as it is."""
    if not task.is_open or task.due_at is None or task.due_at <= now or not task.due_rule:
        return None
    if task.times_rescheduled and not task.reschedule_reason.startswith(CALENDAR_CHANGED):
        return None  # a lead chose this date: a new calendar does not overrule them
    offset = Offset.parse(task.due_rule)
    if not offset.on_school_days:
        return None  # minutes, hours and days do not depend on the calendar
    if task.waits_for:
        milestone = milestones.get(task.waits_for)
        if milestone is None:
            return None
        start = milestone.moment
    else:
        start = occurred_at
    try:
        due = offset.at(start, clock)
    except DomainError:
        return None  # the new calendar cannot count it (it ends first): the date stands
    return due if due != task.due_at else None
