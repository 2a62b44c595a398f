"""A playbook as Steady uses it: validated, immutable, ready to turn into an incident's tasks."""

from collections.abc import Iterator
from dataclasses import dataclass

from domain.phase import Phase
from domain.schedule import Offset


@dataclass(frozen=True)
class Role:
    id: str
    title: str


@dataclass(frozen=True)
class Step:
    id: str  # unique within its playbook, so a task can point back at the step it came from
    title: str
    instructions: str
    owner: str  # a Role.id declared by the same playbook
    due: Offset  # counted from the moment the incident happened
    stakeholder: str  # key of domain.healing.STAKEHOLDER_GROUPS
    component: str  # key of domain.healing.COMPONENTS


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

    def steps(self) -> Iterator[tuple[PhasePlan, Step]]:
        for plan in self.phases:
            for step in plan.steps:
                yield plan, step

    def role_title(self, role_id: str) -> str:
        for role in self.roles:
            if role.id == role_id:
                return role.title
        known = ", ".join(role.id for role in self.roles)
        raise LookupError(f"playbook {self.id!r} has no role {role_id!r}; its roles are {known}")
