"""A task on an incident's board and the state machine of its status."""

from dataclasses import dataclass, replace
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
    # A step that does not apply to this incident: settled, like done, but never counted as done.
    NOT_APPLICABLE = "not_applicable"

    @property
    def label(self) -> str:
        return LABELS[self.value]

    @classmethod
    def parse(cls, value: str) -> "Status":
        try:
            return cls(value.strip().lower().replace(" ", "_").replace("-", "_"))
        except ValueError:
            names = ", ".join(s.value for s in cls)
            raise DomainError(f"unknown task status {value!r}: expected one of {names}") from None


LABELS = {
    "todo": "To do",
    "in_progress": "In progress",
    "blocked": "Blocked",
    "done": "Done",
    "not_applicable": "Not applicable",
}
# Which statuses a task may move to from each status. A settled task (done, or not applicable)
# only reopens (to do), with a reason.
_SET_ASIDE = (Status.DONE, Status.NOT_APPLICABLE)
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.TODO: frozenset({Status.IN_PROGRESS, Status.BLOCKED, *_SET_ASIDE}),
    Status.IN_PROGRESS: frozenset({Status.TODO, Status.BLOCKED, *_SET_ASIDE}),
    Status.BLOCKED: frozenset({Status.TODO, Status.IN_PROGRESS, *_SET_ASIDE}),
    Status.DONE: frozenset({Status.TODO}),
    Status.NOT_APPLICABLE: frozenset({Status.TODO}),
}
SETTLED = frozenset(_SET_ASIDE)


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
    urgent: bool = False  # its assignee is emailed at once (service.outbox)

    def as_dict(self, task_id: str) -> dict[str, Any]:
        # "urgent" came later: recorded (and so hashed) only when true, so that a task added
        # before it existed, or not urgent, keeps the same record and hash.
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
        } | ({"urgent": True} if self.urgent else {})


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
    reason: str = ""  # why it is blocked, not applicable, or reopened
    done_note: str = ""
    assignee: Assignee | None = None
    times_reopened: int = 0
    updated_at: datetime | None = None
    updated_by: Actor | None = None
    due_rule: str = ""
    waits_for: str = ""
    same_as: str = ""
    # Rescheduling keeps the first due time, so the board can say "rescheduled from ...".
    original_due_at: datetime | None = None
    times_rescheduled: int = 0
    reschedule_reason: str = ""
    # A task left open when its incident closed and carried into a follow-up incident (its
    # reference): settled here, its work goes on there. carried_from is the other side: the
    # reference and task id a follow-up's task came from, e.g. "INC-2026-0003 T4".
    carried_to: str = ""
    carried_from: str = ""
    urgent: bool = False  # urgent work: its assignee is emailed when it is assigned

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
            # Only tasks carried into a follow-up say where they came from, and who had them.
            carried_from=data.get("carried_from", ""),
            urgent=bool(data.get("urgent", False)),  # recorded only when true
            assignee=Assignee(data["assignee_kind"], data["assignee"])
            if data.get("assignee")
            else None,
        )

    def stands_for(self, playbook_id: str, step_id: str) -> bool:
        """Whether this task is that playbook's step: its own, or the one it is the same as."""
        return (self.playbook_id, self.step_id) == (playbook_id, step_id) or (
            self.same_as == f"{playbook_id}:{step_id}"
        )

    @property
    def is_open(self) -> bool:
        """Still work of this incident: not done, not applicable, nor carried elsewhere."""
        return self.status not in SETTLED and not self.carried_to

    def check_not_carried(self) -> None:
        if self.carried_to:
            raise DomainError(
                f"task {self.id} '{self.title}' was carried into {self.carried_to} when this "
                f"incident closed; change it there"
            )

    def check_transition(self, to: Status, reason: str) -> None:
        self.check_not_carried()
        if to == self.status:
            raise DomainError(f"task {self.id} '{self.title}' is already {to.label.lower()}")
        if to not in TRANSITIONS[self.status]:
            raise DomainError(
                f"task {self.id} '{self.title}' is {self.status.label.lower()}; reopen it "
                "(status 'todo' with a reason) before changing it again"
            )
        if to == Status.BLOCKED and not reason.strip():
            raise DomainError(f"say why task {self.id} is blocked, so others can help unblock it")
        if to == Status.NOT_APPLICABLE and not reason.strip():
            raise DomainError(
                f"say why task {self.id} '{self.title}' does not apply to this incident"
            )
        if self.status in SETTLED and not reason.strip():
            raise DomainError(f"say why task {self.id} '{self.title}' is being reopened")

    def check_reschedule(self, due_at: datetime, reason: str) -> None:
        self.check_not_carried()
        if self.status in SETTLED:
            raise DomainError(
                f"task {self.id} '{self.title}' is {self.status.label.lower()}: only open work "
                "is rescheduled (reopen it first if it needs doing)"
            )
        if self.due_at == due_at:
            raise DomainError(
                f"task {self.id} '{self.title}' is already due {due_at.isoformat()}; "
                "give a new due time"
            )
        if not reason.strip():
            raise DomainError(f"say why task {self.id} '{self.title}' is rescheduled")

    def moved_to(self, to: Status, reason: str, note: str, at: datetime, by: Actor) -> "Task":
        return replace(
            self,
            times_reopened=self.times_reopened + (self.status in SETTLED),
            status=to,
            reason=reason,
            done_note=note if to == Status.DONE else "",
            updated_at=at,
            updated_by=by,
        )

    def rescheduled(self, due_at: datetime, reason: str, at: datetime, by: Actor) -> "Task":
        first = self.original_due_at if self.times_rescheduled else self.due_at
        return replace(
            self,
            due_at=due_at,
            original_due_at=first,
            times_rescheduled=self.times_rescheduled + 1,
            reschedule_reason=reason,
            updated_at=at,
            updated_by=by,
        )

    def carried(self, follow_up: str, at: datetime, by: Actor) -> "Task":
        return replace(self, carried_to=follow_up, updated_at=at, updated_by=by)

    def is_overdue(self, now: datetime) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < now
