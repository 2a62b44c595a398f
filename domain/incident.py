"""The incident: an append-only stream of what the crisis team decided and did."""

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.chain import GENESIS, event_hash
from domain.errors import DomainError, NotFound
from domain.kinds import KINDS, ONE_STUDENT_KINDS, check_kind
from domain.moments import check_moment
from domain.numbers import check_whole_number
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.task import Status, Task, TaskPlan

STEADY_NAMESPACE = uuid5(NAMESPACE_URL, "https://steady.example/incidents")
SEVERITIES = {1: "critical", 2: "high", 3: "moderate", 4: "low"}
MAX_TITLE = 200
MAX_TEXT = 10_000
# A clock a little ahead on a responder's machine must not refuse an incident that just happened.
CLOCK_TOLERANCE = timedelta(minutes=5)


def check_severity(severity: object) -> int:
    levels = ", ".join(f"{k} ({v})" for k, v in SEVERITIES.items())
    return check_whole_number(
        "severity", severity, least=min(SEVERITIES), most=max(SEVERITIES), detail=f": {levels}"
    )


# Characters that show nothing but are not whitespace or format characters to Unicode.
FILLERS = frozenset("\u115f\u1160\u2800\u3164\uffa0")
NEWLINES = re.compile(r"\r\n?")
# Unicode's control characters but line break and tab, and lone surrogates (never text).
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def check_text(
    field: str,
    value: object,
    *,
    limit: int = MAX_TEXT,
    required: bool = True,
    multiline: bool = False,
) -> str:
    """Free text as it is recorded: trimmed, with no control characters (a NUL or an escape
    sequence cannot be shown or printed) except line breaks and tabs in multi-line text; in one
    line, a line break or tab reads as a space. Required text must hold something visible."""
    if not isinstance(value, str):
        raise DomainError(f"{field} must be text")
    value = NEWLINES.sub("\n", value)  # a browser's textarea sends CRLF
    if not multiline:
        value = value.replace("\n", " ").replace("\t", " ")
    value = value.strip()
    if not _visible(value):
        if required:
            raise DomainError(
                f"{field} must not be empty: write it in words people can read "
                "(spaces and invisible characters alone do not count)"
            )
        return ""  # optional text that shows nothing is recorded as nothing
    if len(value) > limit:
        raise DomainError(f"{field} is {len(value)} characters long; keep it under {limit}")
    control = CONTROLS.search(value)
    if control:
        raise DomainError(
            f"{field} holds a control character (U+{ord(control.group()):04X}) that cannot be "
            "shown; remove it, or type the text again rather than pasting it"
        )
    return value


def _visible(text: str) -> bool:
    """Holds a character that shows: not whitespace, a control, a format character (zero-width
    space, joiners, byte order mark) or a blank filler."""
    return any(
        not char.isspace()
        and unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
        and char not in FILLERS
        for char in text
    )


@dataclass
class Note:
    id: str
    text: str
    task_id: str
    at: datetime
    by: Actor
    corrects: str = ""  # the note this one corrects; that note stays in the stream
    reason: str = ""
    corrected_by: str = ""  # set on the original when a later note corrects it
    shared_with: tuple[str, ...] = ()  # partner organisations that may read it


@dataclass(frozen=True)
class AppliedPlaybook:
    id: str
    version: int
    content_hash: str
    title: str
    task_ids: tuple[str, ...]


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


class Incident(Aggregate):
    """Rules a crisis team expects are checked here, before any event is recorded."""

    class Event(Aggregate.Event):
        NAME = "event"  # the stable public name of the event's type, also hashed
        # Version 2 added the hash chain; version 1 events (none were ever shipped) load unchained.
        class_version = 2

        actor: dict[str, str]
        previous_hash: str
        event_hash: str

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            state["previous_hash"] = ""
            state["event_hash"] = ""

        @property
        def by(self) -> Actor:
            return Actor.from_dict(self.actor)

        def mutate(self, aggregate: Any) -> Any:
            aggregate = super().mutate(aggregate)
            aggregate.chain_head = self.event_hash
            return aggregate

        def computed_hash(self) -> str:
            """The hash this event's content gives: differs from event_hash if it was altered."""
            return event_hash(
                self.previous_hash,
                incident_id=self.originator_id,
                event_type=self.NAME,
                at=self.timestamp,
                actor=self.actor,
                data=event_fields(self),
            )

    class Opened(Event, Aggregate.Created):
        NAME = "incident_opened"

        reference: str
        title: str
        kind: str
        severity: int
        schools: list[str]
        summary: str
        occurred_at: datetime

    class PlaybookApplied(Event):
        NAME = "playbook_applied"

        playbook_id: str
        playbook_version: int
        content_hash: str
        playbook_title: str
        tasks: list[dict[str, Any]]

        def apply(self, incident: "Incident") -> None:
            for data in self.tasks:
                incident.tasks[data["task_id"]] = Task.from_dict(data)
            incident.playbooks.append(
                AppliedPlaybook(
                    id=self.playbook_id,
                    version=self.playbook_version,
                    content_hash=self.content_hash,
                    title=self.playbook_title,
                    task_ids=tuple(t["task_id"] for t in self.tasks),
                )
            )

    class TaskAdded(Event):
        NAME = "task_added"

        task: dict[str, Any]

        def apply(self, incident: "Incident") -> None:
            incident.tasks[self.task["task_id"]] = Task.from_dict(self.task)

    class TaskAssigned(Event):
        NAME = "task_assigned"

        task_id: str
        assignee_kind: str
        assignee: str

        def apply(self, incident: "Incident") -> None:
            task = incident.tasks[self.task_id]
            task.assignee = Assignee(self.assignee_kind, self.assignee)
            task.updated_at, task.updated_by = self.timestamp, self.by

    class TaskStatusChanged(Event):
        NAME = "task_status_changed"

        task_id: str
        status: str
        reason: str
        note: str

        def apply(self, incident: "Incident") -> None:
            task = incident.tasks[self.task_id]
            to = Status(self.status)
            if task.status == Status.DONE:
                task.times_reopened += 1
            task.status = to
            task.reason = self.reason
            task.done_note = self.note if to == Status.DONE else ""
            task.updated_at, task.updated_by = self.timestamp, self.by

    class NoteAdded(Event):
        NAME = "note_added"

        note_id: str
        text: str
        task_id: str

        def apply(self, incident: "Incident") -> None:
            incident.notes[self.note_id] = Note(
                self.note_id, self.text, self.task_id, self.timestamp, self.by
            )

    class NoteCorrected(Event):
        NAME = "note_corrected"

        note_id: str
        corrects: str
        text: str
        reason: str

        def apply(self, incident: "Incident") -> None:
            original = incident.notes[self.corrects]
            original.corrected_by = self.note_id
            incident.notes[self.note_id] = Note(
                self.note_id,
                self.text,
                original.task_id,
                self.timestamp,
                self.by,
                corrects=self.corrects,
                reason=self.reason,
                # A correction reaches whoever could read what it corrects.
                shared_with=original.shared_with,
            )

    class NoteShared(Event):
        NAME = "note_shared"

        note_id: str
        organisation: str
        organisation_name: str

        def apply(self, incident: "Incident") -> None:
            note = incident.notes[self.note_id]
            note.shared_with = (*note.shared_with, self.organisation)

    class Shared(Event):
        """The incident is shared with a partner organisation: its people see the incident's
        outline, the tasks assigned to their organisation and the notes shared with it."""

        NAME = "incident_shared"

        organisation: str
        organisation_name: str

        def apply(self, incident: "Incident") -> None:
            incident.shares[self.organisation] = self.organisation_name
            incident.ended_shares.discard(self.organisation)

    class ShareEnded(Event):
        NAME = "incident_share_ended"

        organisation: str
        organisation_name: str
        reason: str

        def apply(self, incident: "Incident") -> None:
            del incident.shares[self.organisation]
            incident.ended_shares.add(self.organisation)
            # What the share showed ends with it: a later share starts from nothing shared,
            # and the lead shares again the notes the partner should read.
            for note in incident.notes.values():
                if self.organisation in note.shared_with:
                    note.shared_with = tuple(o for o in note.shared_with if o != self.organisation)

    class SeverityChanged(Event):
        NAME = "severity_changed"

        severity: int
        reason: str

        def apply(self, incident: "Incident") -> None:
            incident.severity = self.severity

    class PhaseAdvanced(Event):
        NAME = "phase_advanced"

        phase: str

        def apply(self, incident: "Incident") -> None:
            incident.phase = Phase(self.phase)

    class Closed(Event):
        NAME = "incident_closed"

        review_summary: str

        def apply(self, incident: "Incident") -> None:
            incident.closed = True
            incident.closed_at = self.timestamp
            incident.review_summary = self.review_summary

    class Reopened(Event):
        NAME = "incident_reopened"

        reason: str
        phase: str

        def apply(self, incident: "Incident") -> None:
            incident.closed = False
            incident.closed_at = None
            incident.phase = Phase(self.phase)
            incident.times_reopened += 1

    class MarkedConfidential(Event):
        """From now on only crisis leads, the case team and auditors see the incident."""

        NAME = "incident_marked_confidential"

        reason: str

        def apply(self, incident: "Incident") -> None:
            incident.marked_confidential = True

    class UnmarkedConfidential(Event):
        NAME = "incident_unmarked_confidential"

        reason: str

        def apply(self, incident: "Incident") -> None:
            incident.marked_confidential = False

    class CaseTeamMemberAdded(Event):
        """A person (by username) who needs to know this confidential case."""

        NAME = "case_team_member_added"

        username: str

        def apply(self, incident: "Incident") -> None:
            incident.case_team = [*incident.case_team, self.username]

    class CaseTeamMemberRemoved(Event):
        NAME = "case_team_member_removed"

        username: str
        reason: str

        def apply(self, incident: "Incident") -> None:
            incident.case_team = [u for u in incident.case_team if u != self.username]

    # -- creation -----------------------------------------------------------------------------

    @staticmethod
    def id_for(reference: str) -> UUID:
        """Ids derive from the human reference, which holds nothing personal."""
        return uuid5(STEADY_NAMESPACE, reference.strip().upper())

    @classmethod
    def open(
        cls,
        *,
        reference: str,
        title: str,
        kind: str,
        severity: int,
        schools: list[str],
        summary: str,
        occurred_at: datetime,
        actor: Actor,
        at: datetime,
    ) -> "Incident":
        if occurred_at.tzinfo is None:
            raise DomainError(
                "when it happened must include a time zone, e.g. 2026-11-23T08:15-06:00"
            )
        check_moment("at", at)
        check_moment("occurred_at", occurred_at)
        if occurred_at > at + CLOCK_TOLERANCE:
            raise DomainError(
                f"when it happened ({occurred_at.isoformat()}) is in the future; "
                "give the time the crisis happened or was reported"
            )
        if not isinstance(schools, list) or not all(isinstance(s, str) for s in schools):
            raise DomainError("schools must be a list of school names")
        # A school that shows nothing is left out, as an empty one always was.
        schools = [check_text("school", s, limit=MAX_TITLE, required=False) for s in schools]
        schools = [s for s in schools if s]
        if not schools:
            raise DomainError("name at least one school affected by the incident")
        incident_id = cls.id_for(reference)
        fields: dict[str, Any] = {
            "reference": reference,
            "title": check_text("title", title, limit=MAX_TITLE),
            "kind": check_kind(kind),
            "severity": check_severity(severity),
            "schools": list(dict.fromkeys(schools)),
            "summary": check_text("summary", summary, required=False, multiline=True),
            "occurred_at": occurred_at,
        }
        chained = event_hash(
            GENESIS,
            incident_id=incident_id,
            event_type=cls.Opened.NAME,
            at=at,
            actor=actor.as_dict(),
            data=fields,
        )
        return cls._create(
            cls.Opened,
            id=incident_id,
            timestamp=at,
            actor=actor.as_dict(),
            previous_hash=GENESIS,
            event_hash=chained,
            **fields,
        )

    def __init__(
        self,
        *,
        reference: str,
        title: str,
        kind: str,
        severity: int,
        schools: list[str],
        summary: str,
        occurred_at: datetime,
        actor: dict[str, str],
        previous_hash: str,
        event_hash: str,
    ) -> None:
        self.chain_head = event_hash
        self.reference = reference
        self.title = title
        self.kind = kind
        self.severity = severity
        self.schools = schools
        self.summary = summary
        self.occurred_at = occurred_at
        self.opened_by = Actor.from_dict(actor)
        self.phase = Phase.RESPONSE
        self.tasks: dict[str, Task] = {}
        self.notes: dict[str, Note] = {}
        self.playbooks: list[AppliedPlaybook] = []
        self.closed = False
        self.closed_at: datetime | None = None
        self.review_summary = ""
        self.times_reopened = 0
        self.shares: dict[str, str] = {}  # partner organisation's id -> its name
        # Need-to-know: a lead's mark (kinds about one student are confidential anyway) and
        # the usernames of the case team, who alone (with leads and auditors) then see it.
        self.marked_confidential = False
        self.case_team: list[str] = []
        self.ended_shares: set[str] = set()  # partners whose share a lead ended, not renewed

    # -- commands -----------------------------------------------------------------------------

    def apply_playbook(
        self,
        *,
        playbook_id: str,
        version: int,
        content_hash: str,
        title: str,
        steps: list[TaskPlan],
        actor: Actor,
        at: datetime,
    ) -> list[str]:
        self._require_open("apply a playbook")
        for applied in self.playbooks:
            if applied.id == playbook_id:
                raise DomainError(
                    f"playbook '{playbook_id}' was already applied to {self.reference} "
                    f"(version {applied.version}); add any extra steps as tasks instead"
                )
        if not steps:
            raise DomainError(f"playbook '{playbook_id}' has no steps to apply")
        for step in steps:
            if step.due_at is not None:
                check_moment("due_at", step.due_at)
        first = len(self.tasks) + 1
        tasks = [plan.as_dict(f"T{first + i}") for i, plan in enumerate(steps)]
        self._record(
            self.PlaybookApplied,
            actor,
            at,
            playbook_id=playbook_id,
            playbook_version=version,
            content_hash=content_hash,
            playbook_title=title,
            tasks=tasks,
        )
        return [t["task_id"] for t in tasks]

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

    def add_task(self, plan: TaskPlan, *, actor: Actor, at: datetime) -> str:
        self._require_open("add a task")
        plan = TaskPlan(
            title=check_text("task title", plan.title, limit=MAX_TITLE),
            instructions=check_text(
                "instructions", plan.instructions, required=False, multiline=True
            ),
            phase=plan.phase,
            owner_role=check_text("owner role", plan.owner_role, limit=100),
            due_at=None if plan.due_at is None else check_moment("due_at", plan.due_at),
            stakeholder=plan.stakeholder,
            component=plan.component,
        )
        task_id = f"T{len(self.tasks) + 1}"
        self._record(self.TaskAdded, actor, at, task=plan.as_dict(task_id))
        return task_id

    def assign_task(self, task_id: str, assignee: Assignee, *, actor: Actor, at: datetime) -> None:
        self._require_open("assign a task")
        task = self.task(task_id)
        name = check_text(f"the {assignee.kind}'s name", assignee.name, limit=MAX_TITLE)
        assignee = Assignee(assignee.kind, name)
        if task.assignee == assignee:
            raise DomainError(f"task {task_id} is already assigned to {assignee}")
        self._record(
            self.TaskAssigned,
            actor,
            at,
            task_id=task_id,
            assignee_kind=assignee.kind,
            assignee=assignee.name,
        )

    def change_task_status(
        self,
        task_id: str,
        status: Status,
        *,
        reason: str = "",
        note: str = "",
        actor: Actor,
        at: datetime,
    ) -> None:
        self._require_open("change a task")
        task = self.task(task_id)
        reason = check_text("reason", reason, required=False, multiline=True)
        note = check_text("note", note, required=False, multiline=True)
        task.check_transition(status, reason)
        if note and status != Status.DONE:
            raise DomainError("a completion note goes with status 'done'; add other notes as notes")
        self._record(
            self.TaskStatusChanged,
            actor,
            at,
            task_id=task_id,
            status=status.value,
            reason=reason,
            note=note,
        )

    def add_note(self, text: str, *, task_id: str = "", actor: Actor, at: datetime) -> str:
        self._require_open("add a note")
        if task_id:
            self.task(task_id)
        note_id = f"N{len(self.notes) + 1}"
        self._record(
            self.NoteAdded,
            actor,
            at,
            note_id=note_id,
            text=check_text("note", text, multiline=True),
            task_id=task_id,
        )
        return note_id

    def correct_note(
        self, note_id: str, text: str, *, reason: str, actor: Actor, at: datetime
    ) -> str:
        self._require_open("correct a note")
        original = self.notes.get(note_id)
        if original is None:
            raise NotFound(f"{self.reference} has no note {note_id}")
        if original.corrected_by:
            raise DomainError(
                f"note {note_id} was already corrected by {original.corrected_by}; "
                f"correct {original.corrected_by} instead"
            )
        new_id = f"N{len(self.notes) + 1}"
        self._record(
            self.NoteCorrected,
            actor,
            at,
            note_id=new_id,
            corrects=note_id,
            text=check_text("corrected note", text, multiline=True),
            reason=check_text("reason for the correction", reason, multiline=True),
        )
        return new_id

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
        note = self.notes.get(note_id)
        if note is None:
            raise NotFound(f"{self.reference} has no note {note_id}")
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

    def mark_confidential(self, *, reason: str = "", actor: Actor, at: datetime) -> None:
        """Narrows who sees the incident: allowed on a closed incident too, as ending a share is."""
        if self.kind in ONE_STUDENT_KINDS:
            raise DomainError(
                f"{self.reference} is confidential already: every "
                f"{KINDS[self.kind].lower()} is; add the people who need to know to its case team"
            )
        if self.marked_confidential:
            raise DomainError(f"{self.reference} is already marked confidential")
        reason = check_text("reason", reason, limit=500, required=False)
        self._record(self.MarkedConfidential, actor, at, reason=reason)

    def unmark_confidential(self, *, reason: str, actor: Actor, at: datetime) -> None:
        self._require_open("unmark it confidential")
        if self.kind in ONE_STUDENT_KINDS:
            raise DomainError(
                f"{self.reference} stays confidential: every {KINDS[self.kind].lower()} is"
            )
        if not self.marked_confidential:
            raise DomainError(f"{self.reference} is not marked confidential")
        reason = check_text("reason for unmarking", reason, limit=500)
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
        reason = check_text("reason", reason, limit=500, required=False)
        self._record(self.CaseTeamMemberRemoved, actor, at, username=username, reason=reason)

    # -- queries ------------------------------------------------------------------------------

    @property
    def confidential(self) -> bool:
        """About one student (by its kind) or marked so by a crisis lead."""
        return self.kind in ONE_STUDENT_KINDS or self.marked_confidential

    def task(self, task_id: str) -> Task:
        task = self.tasks.get(task_id)
        if task is None:
            raise NotFound(f"{self.reference} has no task {task_id!r}")
        return task

    def open_tasks(self) -> list[Task]:
        return [t for t in self.tasks.values() if t.status != Status.DONE]

    def overdue_tasks(self, now: datetime) -> list[Task]:
        return [t for t in self.tasks.values() if t.is_overdue(now)]

    def progress(self) -> tuple[int, int]:
        done = sum(1 for t in self.tasks.values() if t.status == Status.DONE)
        return done, len(self.tasks)

    def current_notes(self) -> list[Note]:
        return [n for n in self.notes.values() if not n.corrected_by]

    # -- internals ----------------------------------------------------------------------------

    def _require_open(self, action: str) -> None:
        if self.closed:
            raise DomainError(
                f"{self.reference} is closed; reopen it with a reason before you {action}"
            )

    def _record(self, event_class: type[Event], actor: Actor, at: datetime, **fields: Any) -> None:
        check_moment("at", at)
        # Keep each stream's timestamps in order even if writers' clocks disagree slightly.
        timestamp = max(at, self.modified_on)
        chained = event_hash(
            self.chain_head,
            incident_id=self.id,
            event_type=event_class.NAME,
            at=timestamp,
            actor=actor.as_dict(),
            data=fields,
        )
        self.trigger_event(
            event_class,
            timestamp=timestamp,
            actor=actor.as_dict(),
            previous_hash=self.chain_head,
            event_hash=chained,
            **fields,
        )


BASE_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "actor",
        "previous_hash",
        "event_hash",
    }
)


def event_fields(event: Incident.Event) -> dict[str, Any]:
    """What an event says, without who, when, where in the stream, or its hashes."""
    return {k: v for k, v in event.__dict__.items() if k not in BASE_FIELDS}
