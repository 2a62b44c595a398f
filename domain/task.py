"""A task on an incident's board and the state machine of its status."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import DomainError
from domain.people import Actor, Assignee
from domain.phase import Phase


class Status(StrEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"todo": "To do", "in_progress": "In progress"}.get(self.value, self.value.title())

    @classmethod
    def parse(cls, value: str) -> "Status":
        try:
            return cls(value.strip().lower().replace(" ", "_").replace("-", "_"))
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise DomainError(f"unknown task status {value!r}: expected one of {names}") from None


# Which statuses a task may move to from each status. A done task only reopens (to do).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.TODO: frozenset({Status.IN_PROGRESS, Status.BLOCKED, Status.DONE}),
    Status.IN_PROGRESS: frozenset({Status.TODO, Status.BLOCKED, Status.DONE}),
    Status.BLOCKED: frozenset({Status.TODO, Status.IN_PROGRESS, Status.DONE}),
    Status.DONE: frozenset({Status.TODO}),
}


@dataclass(frozen=True)
class TaskPlan:
    """What a task is, as a playbook step or a responder lays it out."""

    title: str
    instructions: str
    phase: Phase
    owner_role: str
    due_at: datetime | None
    stakeholder: str = ""
    component: str = ""
    playbook_id: str = ""
    step_id: str = ""
    due_rule: str = ""  # the step's due phrase, kept to count from a milestone once recorded
    waits_for: str = ""  # a milestone id: no due date until the milestone is recorded
    same_as: str = ""  # "playbook-id:step-id" of the same step in a playbook used with this one

    def as_dict(self, task_id: str) -> dict[str, Any]:
        return {
            "task_id": task_id,
            "title": self.title,
            "instructions": self.instructions,
            "phase": self.phase.value,
            "owner_role": self.owner_role,
            "due_at": self.due_at,
            "stakeholder": self.stakeholder,
            "component": self.component,
            "playbook_id": self.playbook_id,
            "step_id": self.step_id,
            "due_rule": self.due_rule,
            "waits_for": self.waits_for,
            "same_as": self.same_as,
        }


@dataclass(frozen=True)
class Task:
    id: str
    title: str
    instructions: str
    phase: Phase
    owner_role: str
    due_at: datetime | None
    stakeholder: str
    component: str
    playbook_id: str
    step_id: str
    status: Status = Status.TODO
    reason: str = ""  # why it is blocked, or why it was reopened
    done_note: str = ""
    assignee: Assignee | None = None
    times_reopened: int = 0
    updated_at: datetime | None = None
    updated_by: Actor | None = None
    due_rule: str = ""
    waits_for: str = ""
    same_as: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Task":
        return cls(
            id=data["task_id"],
            title=data["title"],
            instructions=data["instructions"],
            phase=Phase(data["phase"]),
            owner_role=data["owner_role"],
            due_at=data["due_at"],
            stakeholder=data["stakeholder"],
            component=data["component"],
            playbook_id=data["playbook_id"],
            step_id=data["step_id"],
            # Tasks recorded before school-day due dates had none of these.
            due_rule=data.get("due_rule", ""),
            waits_for=data.get("waits_for", ""),
            same_as=data.get("same_as", ""),
        )

    def stands_for(self, playbook_id: str, step_id: str) -> bool:
        """Whether this task is that playbook's step: its own, or the one it is the same as."""
        return (self.playbook_id, self.step_id) == (playbook_id, step_id) or (
            self.same_as == f"{playbook_id}:{step_id}"
        )

    def check_transition(self, to: Status, reason: str) -> None:
        if to == self.status:
            raise DomainError(f"task {self.id} '{self.title}' is already {to.label.lower()}")
        if to not in TRANSITIONS[self.status]:
            raise DomainError(
                f"task {self.id} '{self.title}' is done; reopen it (status 'todo' with a reason) "
                "before changing it again"
            )
        if to == Status.BLOCKED and not reason.strip():
            raise DomainError(f"say why task {self.id} is blocked, so others can help unblock it")
        if self.status == Status.DONE and not reason.strip():
            raise DomainError(f"say why task {self.id} '{self.title}' is being reopened")

    def is_overdue(self, now: datetime) -> bool:
        return self.status != Status.DONE and self.due_at is not None and self.due_at < now
