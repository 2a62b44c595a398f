"""A playbook as Steady uses it: validated, immutable, ready to turn into an incident's tasks."""

from collections.abc import Iterator
from dataclasses import dataclass

from domain.follow_up_plan import FollowUpPlan
from domain.phase import Phase
from domain.schedule import Offset


@dataclass(frozen=True)
class Role:
    id: str
    title: str


INCIDENT = "incident"  # a measure counted from the moment the incident happened


@dataclass(frozen=True)
class StepRef:
    """A step of another playbook, written "playbook-id:step-id"."""

    playbook: str
    step: str

    def __str__(self) -> str:
        return f"{self.playbook}:{self.step}"


@dataclass(frozen=True)
class Step:
    id: str  # unique within its playbook, so a task can point back at the step it came from
    title: str
    instructions: str
    owner: str  # a Role.id declared by the same playbook
    due: Offset  # counted from the moment the incident happened, or from its milestone
    stakeholder: str  # key of domain.healing.STAKEHOLDER_GROUPS
    component: str  # key of domain.healing.COMPONENTS
    milestone: str = ""  # a Milestone.id of the same playbook: due counts from its moment
    same_as: StepRef | None = None  # the same step in a playbook this one is used with
    urgent: bool = False  # its task's assignee is emailed at once when it is assigned
    # The incident kinds it becomes a task for (some of the playbook's own); () means every kind.
    kinds: tuple[str, ...] = ()

    def applies_to(self, kind: str) -> bool:
        """Whether applying the playbook to an incident of this kind lays the step out."""
        return not self.kinds or kind in self.kinds


@dataclass(frozen=True)
class Milestone:
    """A moment a crisis lead records on the incident (a student's discharge, say): the steps
    counted from it wait for it."""

    id: str
    title: str


@dataclass(frozen=True)
class Measure:
    """A duration the after-action report shows: from the incident (or one step's task being
    done) to another step's task being done, against a target."""

    id: str
    title: str
    to: str  # a step id of the same playbook
    start: str = INCIDENT  # INCIDENT, or a step id of the same playbook
    target: Offset | None = None


@dataclass(frozen=True)
class PhasePlan:
    phase: Phase
    goal: str
    steps: tuple[Step, ...]


@dataclass(frozen=True)
class Playbook:
    id: str
    title: str
    version: int
    kinds: tuple[str, ...]
    summary: str
    roles: tuple[Role, ...]
    phases: tuple[PhasePlan, ...]  # in Phase order, each phase at most once
    # "sha256:<hex>" of the parsed content: an incident records it so an auditor can tell exactly
    # which text the team followed, even if the file was later edited without a version bump.
    content_hash: str
    source: str  # path of the file it was loaded from
    milestones: tuple[Milestone, ...] = ()
    used_with: tuple[str, ...] = ()  # ids of the playbooks it is meant to be applied beside
    measures: tuple[Measure, ...] = ()
    # The check-ins each tier of need gets ([[follow_ups]]); None: the district's default plan.
    follow_ups: FollowUpPlan | None = None

    def steps(self) -> Iterator[tuple[PhasePlan, Step]]:
        for plan in self.phases:
            for step in plan.steps:
                yield plan, step

    def steps_for(self, kind: str) -> Iterator[tuple[PhasePlan, Step]]:
        """The steps that become tasks on an incident of this kind (a step's `kinds`)."""
        return ((plan, step) for plan, step in self.steps() if step.applies_to(kind))

    def step(self, step_id: str) -> Step | None:
        return next((step for _, step in self.steps() if step.id == step_id), None)

    def milestone(self, milestone_id: str) -> Milestone | None:
        return next((m for m in self.milestones if m.id == milestone_id), None)

    def role_title(self, role_id: str) -> str:
        for role in self.roles:
            if role.id == role_id:
                return role.title
        known = ", ".join(role.id for role in self.roles)
        raise LookupError(f"playbook {self.id!r} has no role {role_id!r}; its roles are {known}")
