"""What the incidents API's commands send: one body per command, and reading the moments in them.

Each field declares, for the API's document, what the domain takes (web/api_fields.py): the
domain's own lists for its closed sets, its limits for text."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from domain.incident_tasks import MAX_OWNER_ROLE, TaskOutcome
from domain.kinds import KINDS
from domain.organisation import MAX_SLUG, SLUG_PATTERN
from domain.people import ASSIGNEE_KINDS
from domain.phase import Phase
from domain.severity import SEVERITIES
from domain.task import Status
from domain.text import MAX_TITLE
from web.api_fields import MOMENT, field, items, matching, moment, one_of, text, whole
from web.errors import BadInput

Version = Annotated[
    int | None,
    field(whole(1), description="the incident's version the change is based on: a later "
          "change since answers 409"),
]  # fmt: skip
Severity = Annotated[
    int,
    field(whole(min(SEVERITIES), max(SEVERITIES)),
          description=", ".join(f"{k} {v}" for k, v in SEVERITIES.items())),
]  # fmt: skip
Title = Annotated[str, field(text(MAX_TITLE))]
Words = Annotated[str, field(text())]  # required, may run over lines
MaybeWords = Annotated[str, field(text(required=False))]
Moment = Annotated[str | None, field(moment(), description=MOMENT)]
RequiredMoment = Annotated[str, field(moment(), description=MOMENT)]
MaybeOutcome = Annotated[
    str | None,
    field(one_of(TaskOutcome, nullable=True),
          description="what becomes of every open task not named in task_outcomes: done, "
          "not_applicable (both recorded as decided when the incident closed), or follow_up "
          "(carried into a follow-up incident opened as this one closes)"),
]  # fmt: skip
Outcomes = Annotated[
    dict[str, str] | None,
    field({"additionalProperties": {"type": "string", **one_of(TaskOutcome)}},
          description="what becomes of each open task, by task id (e.g. {\"T3\": \"follow_up\"}); "
          "every open task needs an outcome, here or in open_tasks"),
]  # fmt: skip
PhaseName = Annotated[str, field(one_of(Phase))]
MaybePhase = Annotated[str | None, field(one_of(Phase, nullable=True))]
Organisations = Annotated[
    list[str] | None,
    field(items(matching(SLUG_PATTERN.pattern, most=MAX_SLUG)),
          description="ids of partner organisations the incident is shared with"),
]  # fmt: skip


@dataclass
class OpenIncident:
    title: Title
    kind: Annotated[str, field(one_of(KINDS))]
    severity: Severity
    schools: Annotated[list[str], field(items(text(MAX_TITLE), least=1))]
    summary: MaybeWords = ""
    occurred_at: Moment = None  # ISO 8601; without an offset, district time
    # A drill of its kind: marked DRILL everywhere, kept out of the district's totals.
    drill: Annotated[bool, field({}, description="true: a drill, not a real incident")] = False


@dataclass
class ApplyPlaybook:
    playbook_id: str
    based_on_version: Version = None


@dataclass
class RecordMilestone:
    milestone_id: Annotated[str, field(text(MAX_TITLE), description="a milestone an applied "
                                       "playbook declares, such as discharge")]  # fmt: skip
    # ISO 8601; without an offset, district time. The tasks waiting for it count from it.
    moment: Annotated[str, field(moment(), description=MOMENT)]
    reason: MaybeWords = ""  # required when it was recorded before (else 422)
    based_on_version: Version = None


@dataclass
class AddTask:
    title: Title
    owner_role: Annotated[str, field(text(MAX_OWNER_ROLE))]  # the position that owns the task
    phase: MaybePhase = None
    instructions: MaybeWords = ""
    due_at: Moment = None  # ISO 8601; without an offset, district time
    urgent: bool = False  # its assignee is emailed at once when it is assigned


@dataclass
class ChangeStatus:
    status: Annotated[str, field(one_of(Status))]
    # Required to block a task, mark it not applicable (crisis leads), or reopen a done or
    # not-applicable one (else 422).
    reason: MaybeWords = ""
    note: MaybeWords = ""
    based_on_version: Version = None


@dataclass
class RescheduleTask:
    due_at: RequiredMoment  # ISO 8601; without an offset, district time
    reason: Words
    based_on_version: Version = None


@dataclass
class Assign:
    kind: Annotated[str, field(one_of(ASSIGNEE_KINDS))]
    name: Annotated[str, field(text(MAX_TITLE), description="a username, position or partner")]
    based_on_version: Version = None


@dataclass
class AddNote:
    text: Words
    task_id: str = ""
    # Partner organisations (ids) the incident is shared with that may read the note. A
    # partner's own notes are always shared with their organisation.
    share_with: Organisations = None


@dataclass
class CorrectNote:
    text: Words
    reason: Words


@dataclass
class ChangeSeverity:
    severity: Severity
    reason: MaybeWords = ""
    based_on_version: Version = None


@dataclass
class AdvancePhase:
    phase: PhaseName
    based_on_version: Version = None


@dataclass
class CloseIncident:
    review_summary: Words
    open_tasks: MaybeOutcome = None
    task_outcomes: Outcomes = None
    based_on_version: Version = None


@dataclass
class ReopenIncident:
    reason: Words
    phase: MaybePhase = None


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
