"""Sharing an incident with partner organisations: the share itself, notes shared with a
partner, and handing a playbook's tasks to partners standing in for its roles. Mixed into
Incident, whose events these commands record."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from domain.errors import DomainError
from domain.notes import Note
from domain.people import Actor, Assignee
from domain.recording import ChainedEvent, RecordsInChain
from domain.task import Task
from domain.text import check_text


@dataclass(frozen=True)
class StandIn:
    """A partner organisation standing in for a playbook role: its id and its name."""

    organisation: str
    name: str


@dataclass
class Handover:
    """What applying a playbook gave to partners standing in for its roles."""

    tasks: dict[str, list[str]] = field(default_factory=dict)  # organisation -> task ids
    shared_with: list[str] = field(default_factory=list)  # shares this handover began
    # Partners whose share of this incident a lead ended: their tasks stay with the role.
    held_back: dict[str, list[str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "partner_tasks": self.tasks,
            "shared_with": self.shared_with,
            "held_back": self.held_back,
        }


class IncidentSharing(RecordsInChain):
    """Who outside the district sees the incident, and which of its notes and tasks."""

    # What it uses of the Incident it is mixed into (its state, events and checks):
    reference: str
    shares: dict[str, str]
    ended_shares: set[str]
    notes: dict[str, Note]
    Shared: type[ChainedEvent]
    ShareEnded: type[ChainedEvent]
    NoteShared: type[ChainedEvent]
    _require_open: Callable[[str], None]
    task: Callable[[str], Task]
    note: Callable[[str], Note]
    assign_task: Callable[..., None]

    def hand_to_stand_ins(
        self,
        task_ids: Sequence[str],
        stand_ins: Mapping[str, StandIn],
        *,
        actor: Actor,
        at: datetime,
    ) -> Handover:
        """Assigns each of these tasks whose owner role a partner stands in for to that partner,
        sharing the incident with the partner first (so the partner's feed, which follows
        shares in log order, shows the assignments). A partner whose share of this incident a
        lead ended is not brought back behind the lead's back: its tasks stay with the role."""
        handover = Handover()
        for task_id in task_ids:
            task = self.task(task_id)
            partner = stand_ins.get(task.owner_role)
            if partner is None or task.assignee is not None:
                continue
            slug = partner.organisation
            if slug in self.ended_shares:
                handover.held_back.setdefault(slug, []).append(task_id)
                continue
            if slug not in self.shares:
                self.share(slug, partner.name, actor=actor, at=at)
                handover.shared_with.append(slug)
            self.assign_task(task_id, Assignee("partner", slug), actor=actor, at=at)
            handover.tasks.setdefault(slug, []).append(task_id)
        return handover

    def share(self, organisation: str, name: str, *, actor: Actor, at: datetime) -> None:
        """Shares the incident with a partner organisation (its id and its name)."""
        self._require_open("share it")
        if organisation in self.shares:
            raise DomainError(f"{self.reference} is already shared with {name}")
        self._record(self.Shared, actor, at, organisation=organisation, organisation_name=name)

    def end_share(self, organisation: str, *, reason: str, actor: Actor, at: datetime) -> None:
        """Ends a share, even on a closed incident: taking access away is always allowed."""
        name = self.shares.get(organisation)
        if name is None:
            raise DomainError(f"{self.reference} is not shared with {organisation}")
        self._record(
            self.ShareEnded,
            actor,
            at,
            organisation=organisation,
            organisation_name=name,
            reason=check_text(
                "reason for ending the share", reason, required=False, multiline=True
            ),
        )

    def share_note(self, note_id: str, organisation: str, *, actor: Actor, at: datetime) -> None:
        self._require_open("share a note")
        note = self.note(note_id)
        if note.corrected_by:
            raise DomainError(
                f"note {note_id} was corrected by {note.corrected_by}; share {note.corrected_by}"
            )
        name = self.shares.get(organisation)
        if name is None:
            raise DomainError(
                f"{self.reference} is not shared with {organisation}; "
                "share the incident with that organisation before sharing notes with it"
            )
        if organisation in note.shared_with:
            raise DomainError(f"note {note_id} is already shared with {name}")
        self._record(
            self.NoteShared,
            actor,
            at,
            note_id=note_id,
            organisation=organisation,
            organisation_name=name,
        )
