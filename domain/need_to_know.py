"""Need-to-know on an incident: marking it confidential, and its case team, who alone (with
crisis leads and auditors) then see it. Mixed into Incident, whose events these commands
record."""

from collections.abc import Callable
from datetime import datetime

from domain.errors import DomainError
from domain.kinds import KINDS, ONE_STUDENT_KINDS
from domain.people import Actor
from domain.recording import ChainedEvent, RecordsInChain
from domain.text import check_text

MAX_REASON = 500  # why a case was narrowed or widened: a sentence or two


class IncidentNeedToKnow(RecordsInChain):
    """Narrowing who sees an incident about one student, or one a lead marks so."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    kind: str
    marked_confidential: bool
    case_team: list[str]
    MarkedConfidential: type[ChainedEvent]
    UnmarkedConfidential: type[ChainedEvent]
    CaseTeamMemberAdded: type[ChainedEvent]
    CaseTeamMemberRemoved: type[ChainedEvent]
    _require_open: Callable[[str], None]

    def mark_confidential(self, *, reason: str = "", actor: Actor, at: datetime) -> None:
        """Narrows who sees the incident: allowed on a closed incident too, as ending a share is."""
        if self.kind in ONE_STUDENT_KINDS:
            raise DomainError(
                f"{self.reference} is confidential already: every "
                f"{KINDS[self.kind].lower()} is; add the people who need to know to its case team"
            )
        if self.marked_confidential:
            raise DomainError(f"{self.reference} is already marked confidential")
        reason = check_text("reason", reason, limit=MAX_REASON, required=False)
        self._record(self.MarkedConfidential, actor, at, reason=reason)

    def unmark_confidential(self, *, reason: str, actor: Actor, at: datetime) -> None:
        self._require_open("unmark it confidential")
        if self.kind in ONE_STUDENT_KINDS:
            raise DomainError(
                f"{self.reference} stays confidential: every {KINDS[self.kind].lower()} is"
            )
        if not self.marked_confidential:
            raise DomainError(f"{self.reference} is not marked confidential")
        reason = check_text("reason for unmarking", reason, limit=MAX_REASON)
        self._record(self.UnmarkedConfidential, actor, at, reason=reason)

    def add_to_case_team(self, username: str, *, actor: Actor, at: datetime) -> None:
        self._require_open("add someone to the case team")
        username = check_text("username", username, limit=64).lower()
        if username in self.case_team:
            raise DomainError(f"{username} is already on the case team of {self.reference}")
        self._record(self.CaseTeamMemberAdded, actor, at, username=username)

    def remove_from_case_team(
        self, username: str, *, reason: str = "", actor: Actor, at: datetime
    ) -> None:
        """Narrows who sees the incident: allowed on a closed incident too."""
        username = username.strip().lower() if isinstance(username, str) else ""
        if username not in self.case_team:
            raise DomainError(
                f"{username or '(nobody)'} is not on the case team of {self.reference}"
            )
        reason = check_text("reason", reason, limit=MAX_REASON, required=False)
        self._record(self.CaseTeamMemberRemoved, actor, at, username=username, reason=reason)

    @property
    def confidential(self) -> bool:
        """About one student (by its kind) or marked so by a crisis lead."""
        return self.kind in ONE_STUDENT_KINDS or self.marked_confidential
