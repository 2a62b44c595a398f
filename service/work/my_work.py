"""My work: the open tasks of every open incident a person may see that are theirs, by name, by
one of their positions, or (for a partner's people) by their organisation, grouped by when they
fall due in the district's local days; and, for those who assign work, the tasks no one can pick
up because no one holds their role.

Who sees which incident is the need-to-know rule's (service/access/need_to_know.py): a district
person's tasks come from the incidents they see whole, a partner's from the incidents shared
with their organisation (and there only the tasks assigned to it)."""

import math
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.incident import Incident
from domain.task import TRANSITIONS, Status, Task
from service.access.need_to_know import Sight, Viewer, sight
from service.access.permissions import can, may_update_task, scopes
from service.sharing.view import assigned_to
from service.work.due_days import DUE_GROUPS, due_group
from service.work.holders import unheld_tasks


def why_mine(account: Account, organisation: str | None, task: Task) -> str | None:
    """Why the task is this person's: "name" (assigned to them), "position" (owned by, or
    assigned to, a position they hold), "organisation" (assigned to their partner
    organisation); None if it is not theirs. A task given to someone else by name, or to a
    partner, is theirs and no longer the position's."""
    if not task.is_open:  # done, not applicable, or carried into a follow-up
        return None
    if organisation is not None:
        return "organisation" if assigned_to(task, organisation) else None
    assignee = task.assignee
    if assignee is not None and assignee.kind == "person":
        return "name" if assignee.name.strip().casefold() == account.username else None
    if assignee is not None and assignee.kind == "partner":
        return None
    # Permission roles own tasks too (a crisis lead's steps), as they do for may_update_task.
    mine = {*account.positions, *account.roles}
    if task.owner_role in mine or (assignee is not None and assignee.name in mine):
        return "position"
    return None


def next_statuses(account: Account, incident: Incident, task: Task) -> list[str]:
    """The statuses this person may move the task to: none if they may not change it."""
    assignee = task.assignee
    if incident.closed or not may_update_task(
        account,
        owner_role=task.owner_role,
        assignee_kind=assignee.kind if assignee else "",
        assignee=assignee.name if assignee else "",
    ):
        return []
    # Setting a step aside is a decision about the plan: a crisis lead's (replan_task).
    replans = can(account.roles, "replan_task")
    return [
        s.value
        for s in Status
        if s in TRANSITIONS[task.status] and (replans or s != Status.NOT_APPLICABLE)
    ]


def _local(moment: datetime | None, zone: ZoneInfo) -> str | None:
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _number(task_id: str) -> int:
    digits = re.sub(r"\D", "", task_id)
    return int(digits) if digits else 0


def task_row(
    incident: Incident,
    task: Task,
    titles: Mapping[str, str],
    now: datetime,
    zone: ZoneInfo,
) -> dict[str, Any]:
    """A task with its incident's outline, as My work and the list of tasks no one can pick up
    show it."""
    return {
        "reference": incident.reference,
        "incident_id": str(incident.id),
        "incident_title": incident.title,
        "incident_version": incident.version,
        "severity": incident.severity,
        "schools": list(incident.schools),
        "task_id": task.id,
        "title": task.title,
        "owner_role": task.owner_role,
        "owner_role_title": titles.get(task.owner_role, task.owner_role),
        "status": task.status.value,
        "status_label": task.status.label,
        "due_at": task.due_at.isoformat() if task.due_at else None,
        "due_local": _local(task.due_at, zone),
        "overdue": task.is_overdue(now),
        "group": due_group(task.due_at, now, zone),
        "assignee": {"kind": task.assignee.kind, "name": task.assignee.name}
        if task.assignee
        else None,
    }


def _order(row: dict[str, Any], task: Task) -> tuple[Any, ...]:
    due = task.due_at.timestamp() if task.due_at else math.inf
    return (due, row["severity"], row["reference"], _number(row["task_id"]))


def my_work(
    account: Account,
    viewer: Viewer,
    organisation: str | None,
    incidents: Iterable[Incident],
    *,
    titles: Mapping[str, str],
    now: datetime,
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """The person's open tasks, in groups by when they fall due (every group, empty or not, in
    DUE_GROUPS' order), each group soonest first. `organisation` is the partner organisation
    whose shares bound what they see, or None for the district's people."""
    wanted = Sight.SHARED if organisation is not None else Sight.WHOLE
    found: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {g: [] for g in DUE_GROUPS}
    for incident in incidents:
        if incident.closed or sight(viewer, incident) != wanted:
            continue
        for task in incident.tasks.values():
            why = why_mine(account, organisation, task)
            if why is None:
                continue
            row = task_row(incident, task, titles, now, zone)
            row["why"] = why
            row["next_statuses"] = next_statuses(account, incident, task)
            found[row["group"]].append((_order(row, task), row))
    return [
        {
            "group": group,
            "title": title,
            "tasks": [row for _, row in sorted(found[group], key=lambda pair: pair[0])],
        }
        for group, title in DUE_GROUPS.items()
    ]


def no_one_can_pick_up(
    account: Account,
    viewer: Viewer,
    incidents: Iterable[Incident],
    held: frozenset[str],
    *,
    titles: Mapping[str, str],
    now: datetime,
    zone: ZoneInfo,
) -> list[dict[str, Any]]:
    """For those who assign work (crisis leads): every open task, of the open incidents they
    see whole, whose role no one holds, by role (most tasks first). Nothing for anyone else."""
    if account.disabled or not scopes(account.roles, "assign_task"):
        return []
    by_role: dict[str, list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    for incident in incidents:
        if sight(viewer, incident) != Sight.WHOLE:
            continue
        for task, role in unheld_tasks(incident, held):
            row = task_row(incident, task, titles, now, zone)
            by_role.setdefault(role, []).append((_order(row, task), row))
    roles = [
        {
            "role": role,
            "title": titles.get(role, role),
            "tasks": [row for _, row in sorted(rows, key=lambda pair: pair[0])],
        }
        for role, rows in by_role.items()
    ]
    roles.sort(key=lambda r: (-len(r["tasks"]), r["title"].casefold()))
    return roles
