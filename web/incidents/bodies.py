"""What the incidents API's commands send: one body per command, and reading the moments in them."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from web.errors import BadInput


@dataclass
class OpenIncident:
    title: str
    kind: str
    severity: int
    schools: list[str]
    summary: str = ""
    occurred_at: str | None = None  # ISO 8601; without an offset, district time


@dataclass
class ApplyPlaybook:
    playbook_id: str
    based_on_version: int | None = None


@dataclass
class AddTask:
    title: str
    owner_role: str
    phase: str | None = None
    instructions: str = ""
    due_at: str | None = None  # ISO 8601; without an offset, district time


@dataclass
class ChangeStatus:
    status: str
    reason: str = ""
    note: str = ""
    based_on_version: int | None = None


@dataclass
class Assign:
    kind: str
    name: str
    based_on_version: int | None = None


@dataclass
class AddNote:
    text: str
    task_id: str = ""
    # Partner organisations (ids) the incident is shared with that may read the note. A
    # partner's own notes are always shared with their organisation.
    share_with: list[str] | None = None


@dataclass
class CorrectNote:
    text: str
    reason: str


@dataclass
class ChangeSeverity:
    severity: int
    reason: str = ""
    based_on_version: int | None = None


@dataclass
class AdvancePhase:
    phase: str
    based_on_version: int | None = None


@dataclass
class CloseIncident:
    review_summary: str
    based_on_version: int | None = None


@dataclass
class ReopenIncident:
    reason: str
    phase: str | None = None


def read_moment(text: str | None, zone: ZoneInfo, field: str = "at") -> datetime | None:
    """An ISO 8601 moment; one given without an offset is read in the district's time zone."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            f"{field}: {text!r} is not a moment: write it like 2026-11-23T09:30 (district time) "
            "or 2026-11-23T09:30:00-06:00",
            field,
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=zone)
