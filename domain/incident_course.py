"""The course of an incident: its severity, its phase, closing it and reopening it. Mixed into
Incident, whose events these commands record."""

from collections.abc import Callable
from datetime import datetime

from domain.errors import DomainError
from domain.people import Actor
from domain.phase import Phase
from domain.recording import ChainedEvent, RecordsInChain
from domain.severity import check_severity
from domain.text import check_text


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
    _require_open: Callable[[str], None]

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

    def close(self, review_summary: str, *, actor: Actor, at: datetime) -> None:
        self._require_open("close it")
        self._record(
            self.Closed,
            actor,
            at,
            review_summary=check_text("review summary", review_summary, multiline=True),
        )

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
