"""People and organisations as values inside an incident: actors and assignees."""

from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError

ASSIGNEE_KINDS = ("role", "person", "partner")


@dataclass(frozen=True)
class Actor:
    """Who did something, and in which role: recorded on every event."""

    user: str
    role: str

    def __post_init__(self) -> None:
        if not self.user.strip() or not self.role.strip():
            raise DomainError("every change needs the user who made it and their role")

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user, "role": self.role}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Actor":
        return cls(user=data["user"], role=data["role"])

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


@dataclass(frozen=True)
class Assignee:
    """A task is assigned to a role, a named person, or a partner organisation."""

    kind: str
    name: str

    def __post_init__(self) -> None:
        if self.kind not in ASSIGNEE_KINDS:
            raise DomainError(
                f"cannot assign to a {self.kind!r}: assign to one of {', '.join(ASSIGNEE_KINDS)}"
            )
        if not self.name.strip():
            raise DomainError(f"say which {self.kind} the task is assigned to")

    def __str__(self) -> str:
        return f"{self.name} ({self.kind})"
