"""The tasks of an incident: applying a playbook's steps, adding, assigning, rescheduling and
moving a task through its statuses, deciding what becomes of the open ones when the incident
closes, and what is open, overdue and done. Mixed into Incident, whose events these commands
record."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from domain import moments
from domain.errors import Conflict, DomainError, NotFound
from domain.people import Actor, Assignee
from domain.recording import ChainedEvent, RecordsInChain
from domain.task import Status, Task, TaskPlan
from domain.text import MAX_TITLE, check_text

MAX_OWNER_ROLE = 100  # a position's id, such as school-psychologist


class TaskOutcome(StrEnum):
    """What becomes of a task still open when its incident closes."""

    DONE = "done"
    NOT_APPLICABLE = "not_applicable"
    FOLLOW_UP = "follow_up"  # carried into a follow-up incident, opened as this one closes

    @classmethod
    def parse(cls, value: str) -> "TaskOutcome":
        try:
            return cls(value.strip().lower().replace(" ", "_").replace("-", "_"))
        except ValueError:
            names = ", ".join(o.value for o in cls)
            raise DomainError(
                f"unknown outcome {value!r} for an open task: expected one of {names}"
            ) from None


@dataclass(frozen=True)
class Progress:
    """How far an incident's tasks are: not-applicable and carried tasks are counted apart
    from done ones, so a board never shows work as done that was only set aside."""

    done: int
    not_applicable: int
    carried: int
    total: int

    def __str__(self) -> str:
        """E.g. "5 done, 2 not applicable, of 12"."""
        parts = [f"{self.done} done"]
        if self.not_applicable:
            parts.append(f"{self.not_applicable} not applicable")
        if self.carried:
            parts.append(f"{self.carried} carried into a follow-up")
        return f"{', '.join(parts)}, of {self.total}"


@dataclass(frozen=True)
class AppliedPlaybook:
    id: str
    version: int
    content_hash: str
    title: str
    task_ids: tuple[str, ...]
    # Its steps that a task of a playbook applied before already stands for: step id -> task id.
    shared: dict[str, str] = field(default_factory=dict)
    milestones: dict[str, str] = field(default_factory=dict)  # id -> title
    # What the after-action report measures: {id, title, from, to, target} (playbooks/model.py).
    measures: tuple[dict[str, str], ...] = ()

    def task_for(self, step_id: str, tasks: dict[str, Task]) -> Task | None:
        """The task that stands for one of its steps: its own, or the shared one."""
        if step_id in self.shared:
            return tasks.get(self.shared[step_id])
        return next(
            (tasks[t] for t in self.task_ids if t in tasks and tasks[t].step_id == step_id), None
        )


class IncidentTasks(RecordsInChain):
    """The work a crisis team does on an incident, task by task."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    tasks: dict[str, Task]
    playbooks: list[AppliedPlaybook]
    PlaybookApplied: type[ChainedEvent]
    TaskAdded: type[ChainedEvent]
    TaskAssigned: type[ChainedEvent]
    TaskStatusChanged: type[ChainedEvent]
    TaskRescheduled: type[ChainedEvent]
    _require_open: Callable[[str], None]

    def apply_playbook(
        self,
        *,
        playbook_id: str,
        version: int,
        content_hash: str,
        title: str,
        steps: list[TaskPlan],
        milestones: dict[str, str] | None = None,
        measures: list[dict[str, str]] | None = None,
        actor: Actor,
        at: datetime,
    ) -> list[str]:
        """Lays out the playbook's steps as tasks, but for the steps a task already stands for
        (a step declared the same as another playbook's, either way round): the event records
        that task for each of them, and the board shows the work once."""
        self._require_open("apply a playbook")
        for applied in self.playbooks:
            if applied.id == playbook_id:
                raise DomainError(
                    f"playbook '{playbook_id}' was already applied to {self.reference} "
                    f"(version {applied.version}); add any extra steps as tasks instead"
                )
        if not steps:
            raise DomainError(f"playbook '{playbook_id}' has no steps to apply")
        for step in steps:
            if step.due_at is not None:
                moments.check_moment("due_at", step.due_at)
        shared: dict[str, str] = {}
        for plan in steps:
            standing = self._task_standing_for(playbook_id, plan)
            if standing is not None:
                shared[plan.step_id] = standing.id
        new = [plan for plan in steps if plan.step_id not in shared]
        first = len(self.tasks) + 1
        tasks = [plan.as_dict(f"T{first + i}") for i, plan in enumerate(new)]
        self._record(
            self.PlaybookApplied,
            actor,
            at,
            playbook_id=playbook_id,
            playbook_version=version,
            content_hash=content_hash,
            playbook_title=title,
            tasks=tasks,
            shared_steps=shared,
            milestones=dict(milestones or {}),
            measures=list(measures or []),
        )
        return [t["task_id"] for t in tasks]

    def _task_standing_for(self, playbook_id: str, plan: TaskPlan) -> Task | None:
        """A task already on the board that is this step: it names the step as its equal, or
        the step names it (or the task that stands for the step it names)."""
        for task in self.tasks.values():
            if task.stands_for(playbook_id, plan.step_id):
                return task
        other, _, other_step = plan.same_as.partition(":")
        for applied in self.playbooks if plan.same_as else ():
            if applied.id == other:
                return applied.task_for(other_step, self.tasks)
        return None

    def add_task(self, plan: TaskPlan, *, actor: Actor, at: datetime) -> str:
        self._require_open("add a task")
        plan = TaskPlan(
            title=check_text("task title", plan.title, limit=MAX_TITLE),
            instructions=check_text(
                "instructions", plan.instructions, required=False, multiline=True
            ),
            phase=plan.phase,
            owner_role=check_text("owner role", plan.owner_role, limit=MAX_OWNER_ROLE),
            due_at=None if plan.due_at is None else moments.check_moment("due_at", plan.due_at),
            stakeholder=plan.stakeholder,
            component=plan.component,
            urgent=plan.urgent is True,
        )
        task_id = f"T{len(self.tasks) + 1}"
        self._record(self.TaskAdded, actor, at, task=plan.as_dict(task_id))
        return task_id

    def assign_task(self, task_id: str, assignee: Assignee, *, actor: Actor, at: datetime) -> None:
        self._require_open("assign a task")
        task = self.task(task_id)
        name = check_text(f"the {assignee.kind}'s name", assignee.name, limit=MAX_TITLE)
        assignee = Assignee(assignee.kind, name)
        if task.assignee == assignee:
            raise DomainError(f"task {task_id} is already assigned to {assignee}")
        self._record(
            self.TaskAssigned,
            actor,
            at,
            task_id=task_id,
            assignee_kind=assignee.kind,
            assignee=assignee.name,
        )

    def change_task_status(
        self,
        task_id: str,
        status: Status,
        *,
        reason: str = "",
        note: str = "",
        actor: Actor,
        at: datetime,
    ) -> None:
        self._require_open("change a task")
        task = self.task(task_id)
        reason = check_text("reason", reason, required=False, multiline=True)
        note = check_text("note", note, required=False, multiline=True)
        task.check_transition(status, reason)
        if note and status != Status.DONE:
            raise DomainError("a completion note goes with status 'done'; add other notes as notes")
        self._record(
            self.TaskStatusChanged,
            actor,
            at,
            task_id=task_id,
            status=status.value,
            reason=reason,
            note=note,
        )

    def reschedule_task(
        self, task_id: str, due_at: datetime, *, reason: str, actor: Actor, at: datetime
    ) -> None:
        self._require_open("reschedule a task")
        task = self.task(task_id)
        due_at = moments.check_moment("due_at", due_at)
        reason = check_text("reason", reason, required=False, multiline=True)
        task.check_reschedule(due_at, reason)
        self._record(self.TaskRescheduled, actor, at, task_id=task_id, due_at=due_at, reason=reason)

    def decide_open_tasks(
        self,
        *,
        all_open: TaskOutcome | None = None,
        outcomes: Mapping[str, TaskOutcome] | None = None,
    ) -> dict[str, TaskOutcome]:
        """What becomes of each open task at the close: its own outcome if named, else the one
        for all of them. Refused if a named task is not open, or an open one is left undecided."""
        outcomes = dict(outcomes or {})
        for task_id in outcomes:
            task = self.task(task_id)
            if not task.is_open:
                # Most often settled by someone else after the close was begun: a conflict, so
                # the close dialog draws its list of open tasks again.
                state = (
                    f"carried into {task.carried_to}"
                    if task.carried_to
                    else task.status.label.lower()
                )
                raise Conflict(
                    f"task {task_id} '{task.title}' is {state} now, not open: it was "
                    "settled after you looked. Look again at the tasks still open and say what "
                    "becomes of those"
                )
        decided: dict[str, TaskOutcome] = {}
        undecided = []
        for task in self.open_tasks():
            outcome = outcomes.get(task.id, all_open)
            if outcome is None:
                undecided.append(task.id)
            else:
                decided[task.id] = outcome
        if undecided:
            count = len(undecided)
            named = ", ".join(undecided[:5]) + (f" and {count - 5} more" if count > 5 else "")
            tasks = f"{count} open task{'' if count == 1 else 's'} ({named})"
            raise DomainError(
                f"{self.reference} has {tasks}: say what becomes of "
                f"{'it' if count == 1 else 'each'} as it closes: done, not_applicable or "
                "follow_up (carried into a follow-up incident), one for all open tasks or "
                "one per task"
            )
        return decided

    def task(self, task_id: str) -> Task:
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound(f"{self.reference} has no task {task_id!r}")
        return task

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks.values() if t.is_open]

    def overdue_tasks(self, now: datetime) -> list[Task]:
        return [t for t in self.tasks.values() if t.is_overdue(now)]

    def progress(self) -> Progress:
        done = not_applicable = carried = 0
        for task in self.tasks.values():
            if task.carried_to:
                carried += 1
            elif task.status == Status.DONE:
                done += 1
            elif task.status == Status.NOT_APPLICABLE:
                not_applicable += 1
        return Progress(done, not_applicable, carried, len(self.tasks))
