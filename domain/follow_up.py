"""A follow-up incident: opened as an incident closes, it carries on the tasks left open there.

The follow-up records what it follows (TasksCarriedIn) and the closed incident which tasks went
to which reference (TasksCarriedOver); both are saved in one save (service.incidents.commands)."""

from datetime import datetime

from domain.incident import Incident
from domain.people import Actor
from domain.task import TaskPlan
from domain.text import MAX_TITLE


def open_follow_up(
    of: Incident, task_ids: list[str], *, reference: str, actor: Actor, at: datetime
) -> Incident:
    """The follow-up incident that carries on the tasks `of` left open as it closed: same
    kind, severity and schools, and each task with its owner, phase, due time,
    instructions and assignee (status and history stay with the original)."""
    prefix = "Follow-up: "
    title = of.title if len(prefix + of.title) <= MAX_TITLE else of.title[: MAX_TITLE - 12]
    title = prefix + title + ("…" if title != of.title else "")
    count = len(task_ids)
    follow_up = Incident.open(
        reference=reference,
        title=title,
        kind=of.kind,
        severity=of.severity,
        schools=list(of.schools),
        summary=(
            f"Follows {of.reference}: {count} task{'' if count == 1 else 's'} still open "
            "when it closed go on here."
        ),
        occurred_at=of.occurred_at,
        actor=actor,
        at=at,
        drill=of.drill,  # a drill's follow-up is part of the drill
    )
    tasks = []
    for number, task_id in enumerate(task_ids, start=1):
        task = of.task(task_id)
        plan = TaskPlan(
            title=task.title,
            instructions=task.instructions,
            phase=task.phase,
            owner_role=task.owner_role,
            due_at=task.due_at,
            stakeholder=task.stakeholder,
            component=task.component,
            playbook_id=task.playbook_id,
            step_id=task.step_id,
        )
        data = plan.as_dict(f"T{number}") | {"carried_from": f"{of.reference} {task.id}"}
        if task.assignee:
            data |= {"assignee_kind": task.assignee.kind, "assignee": task.assignee.name}
        tasks.append(data)
    # Whoever may not see the incident may not see its follow-up either; the partners
    # whose tasks go on there keep seeing them (shared before the tasks arrive, as the
    # partner feed shows a task only to a partner the incident is shared with).
    if of.marked_confidential:
        follow_up.mark_confidential(
            reason=f"follows {of.reference}, marked confidential", actor=actor, at=at
        )
    for username in of.case_team:
        follow_up.add_to_case_team(username, actor=actor, at=at)
    carried_partners = {
        t.assignee.name.strip().casefold()
        for t in (of.task(i) for i in task_ids)
        if t.assignee and t.assignee.kind == "partner"
    }
    for organisation, name in of.shares.items():
        if organisation in carried_partners:
            follow_up.share(organisation, name, actor=actor, at=at)
    follow_up._record(Incident.TasksCarriedIn, actor, at, follows=of.reference, tasks=tasks)
    return follow_up
