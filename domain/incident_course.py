"""The course of an incident: its severity, its phase, closing it and reopening it. Mixed into
Incident, whose events these commands record."""

from collections.abc import Callable, Mapping
from datetime import datetime

from domain.errors import DomainError
from domain.incident_tasks import TaskOutcome
from domain.people import Actor
from domain.phase import Phase
from domain.recording import ChainedEvent, RecordsInChain
from domain.severity import check_severity
from domain.task import Status
from domain.text import check_text

# The reason a task settled by the close records. Not the review summary: a partner reads the
# reasons on the tasks assigned to it, and the review is the district's alone.
CLOSING_REASON = "decided as the incident closed (the review summary says why)"


class IncidentCourse(RecordsInChain):
    """How an incident moves from response to recovery, and to its close."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    severity: int
    phase: Phase
    closed: bool
    SeverityChanged: type[ChainedEvent]
    PhaseAdvanced: type[ChainedEvent]
    Closed: type[ChainedEvent]
    Reopened: type[ChainedEvent]
    TaskStatusChanged: type[ChainedEvent]
    TasksCarriedOver: type[ChainedEvent]
    _require_open: Callable[[str], None]
    decide_open_tasks: Callable[..., dict[str, TaskOutcome]]

    def change_severity(self, severity: int, *, reason: str, actor: Actor, at: datetime) -> None:
        self._require_open("change the severity")
        severity = check_severity(severity)
        if severity == self.severity:
            raise DomainError(f"{self.reference} is already severity {severity}")
        self._record(
            self.SeverityChanged,
            actor,
            at,
            severity=severity,
            reason=check_text("reason", reason, required=False, multiline=True),
        )

    def advance_phase(self, phase: Phase, *, actor: Actor, at: datetime) -> None:
        self._require_open("change the phase")
        if phase.rank <= self.phase.rank:
            raise DomainError(
                f"{self.reference} is in {self.phase.value}; phases only move forward "
                f"(reopen the incident to return to {phase.value})"
            )
        self._record(self.PhaseAdvanced, actor, at, phase=phase.value)

    def close(
        self,
        review_summary: str,
        *,
        all_open: TaskOutcome | None = None,
        outcomes: Mapping[str, TaskOutcome] | None = None,
        follow_up: str = "",
        actor: Actor,
        at: datetime,
    ) -> list[str]:
        """Closes the incident, first settling every open task as decided (one outcome for
        all, or one per task): done and not applicable with CLOSING_REASON, the rest carried
        into the follow-up incident whose reference is `follow_up` (opened by the caller in
        the same save). Returns the ids of the tasks carried over."""
        self._require_open("close it")
        summary = check_text("review summary", review_summary, multiline=True)
        decided = self.decide_open_tasks(all_open=all_open, outcomes=outcomes)
        carried = [t for t, outcome in decided.items() if outcome == TaskOutcome.FOLLOW_UP]
        if carried and not follow_up:
            raise DomainError("tasks carried into a follow-up need the follow-up's reference")
        if follow_up and not carried:
            raise DomainError(f"no task is carried into {follow_up}: open no follow-up")
        for task_id, outcome in decided.items():
            if outcome != TaskOutcome.FOLLOW_UP:
                status = Status(outcome.value)
                self._record(
                    self.TaskStatusChanged,
                    actor,
                    at,
                    task_id=task_id,
                    status=status.value,
                    reason=CLOSING_REASON,
                    note="",
                )
        if carried:
            self._record(self.TasksCarriedOver, actor, at, follow_up=follow_up, task_ids=carried)
        self._record(self.Closed, actor, at, review_summary=summary)
        return carried

    def reopen(
        self, reason: str, *, phase: Phase | None = None, actor: Actor, at: datetime
    ) -> None:
        if not self.closed:
            raise DomainError(f"{self.reference} is open; only a closed incident can be reopened")
        self._record(
            self.Reopened,
            actor,
            at,
            reason=check_text("reason for reopening", reason, multiline=True),
            phase=(phase or self.phase).value,
        )
