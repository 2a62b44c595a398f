"""People and organisations as values inside an incident: actors and assignees."""

from dataclasses import dataclass
from typing import Any

from domain.errors import DomainError

ASSIGNEE_KINDS = ("role", "person", "partner")


@dataclass(frozen=True)
class Actor:
    """Who did something, and in which role: recorded on every event. A change made with an
    API token also records the token's id and who issued it, so an auditor can tell a person's
    own work from work done with a token someone else issued for their account."""

    user: str
    role: str
    token: str | None = None
    token_issued_by: str | None = None

    def __post_init__(self) -> None:
        if not self.user.strip() or not self.role.strip():
            raise DomainError("every change needs the user who made it and their role")

    def as_dict(self) -> dict[str, str]:
        # The token's keys only when there is one: every event stored before they existed, and
        # every change made without a token, keeps the shape {"user", "role"}.
        shape = {"user": self.user, "role": self.role}
        if self.token:
            shape["token"] = self.token
        if self.token_issued_by:
            shape["token_issued_by"] = self.token_issued_by
        return shape

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Actor":
        return cls(
            user=data["user"],
            role=data["role"],
            token=data.get("token") or None,
            token_issued_by=data.get("token_issued_by") or None,
        )

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
