"""The incident: an append-only stream of what the crisis team decided and did."""

from dataclasses import replace
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.drills import ChangeToMake, IncidentDrill, Participants, TimedMoment
from domain.incident_course import IncidentCourse
from domain.incident_opening import IncidentOpening
from domain.incident_tasks import AppliedPlaybook, IncidentTasks
from domain.milestones import IncidentMilestones, RecordedMilestone
from domain.need_to_know import IncidentNeedToKnow
from domain.notes import IncidentNotes, Note
from domain.people import Actor, Assignee
from domain.phase import Phase
from domain.recording import ChainedEvent
from domain.sharing import IncidentSharing
from domain.task import Status, Task


class Incident(
    IncidentOpening,
    IncidentCourse,
    IncidentTasks,
    IncidentMilestones,
    IncidentNotes,
    IncidentSharing,
    IncidentNeedToKnow,
    IncidentDrill,
    Aggregate,
):
    """Rules a crisis team expects are checked here, before any event is recorded. The events
    are all defined here (their topics are `domain.incident:Incident.<Event>`); the commands on
    its course, tasks, notes, sharing and need-to-know come from the modules named for them."""

    class Event(ChainedEvent):
        """Every incident event: who acted, and its place in the incident's hash chain."""

    class Opened(Event, Aggregate.Created):
        NAME = "incident_opened"
        # Version 3 added `drill`: before it, every incident was real.
        class_version = 3
        ADDED_LATER = frozenset({"drill"})

        reference: str
        title: str
        kind: str
        severity: int
        schools: list[str]
        summary: str
        occurred_at: datetime
        drill: bool

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state["drill"] = False

    class PlaybookApplied(Event):
        NAME = "playbook_applied"
        # Version 3 added the steps shared with a playbook applied before (step id -> the task
        # that stands for it), the milestones the playbook declares and its measures.
        class_version = 3
        ADDED_LATER = frozenset({"shared_steps", "milestones", "measures"})

        playbook_id: str
        playbook_version: int
        content_hash: str
        playbook_title: str
        tasks: list[dict[str, Any]]
        shared_steps: dict[str, str]
        milestones: dict[str, str]
        measures: list[dict[str, str]]

        @staticmethod
        def upcast_v2_v3(state: dict[str, Any]) -> None:
            state.update(shared_steps={}, milestones={}, measures=[])

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
                    shared=dict(self.shared_steps),
                    milestones=dict(self.milestones),
                    measures=tuple(self.measures),
                )
            )

    class MilestoneRecorded(Event):
        """When a milestone happened; `due`: the new due dates of the tasks waiting for it."""

        NAME = "milestone_recorded"

        milestone_id: str
        title: str
        moment: datetime
        reason: str
        due: dict[str, datetime]

        def apply(self, incident: "Incident") -> None:
            incident.milestones[self.milestone_id] = RecordedMilestone(
                self.milestone_id, self.title, self.moment, self.timestamp, self.by, self.reason
            )
            for task_id, due_at in self.due.items():
                incident.tasks[task_id] = replace(incident.tasks[task_id], due_at=due_at)

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
            incident.tasks[self.task_id] = replace(
                incident.tasks[self.task_id],
                assignee=Assignee(self.assignee_kind, self.assignee),
                updated_at=self.timestamp,
                updated_by=self.by,
            )

    class TaskStatusChanged(Event):
        NAME = "task_status_changed"

        task_id: str
        status: str
        reason: str
        note: str

        def apply(self, incident: "Incident") -> None:
            task = incident.tasks[self.task_id]
            incident.tasks[self.task_id] = task.moved_to(
                Status(self.status), self.reason, self.note, self.timestamp, self.by
            )

    class TaskRescheduled(Event):
        """A lead moved a task's due time, saying why; the first due time is kept."""

        NAME = "task_rescheduled"

        task_id: str
        due_at: datetime
        reason: str

        def apply(self, incident: "Incident") -> None:
            task = incident.tasks[self.task_id]
            incident.tasks[self.task_id] = task.rescheduled(
                self.due_at, self.reason, self.timestamp, self.by
            )

    class TasksCarriedOver(Event):
        """Open tasks going on in the follow-up `follow_up` (as its T1, T2, ...) at the close."""

        NAME = "tasks_carried_over"

        follow_up: str
        task_ids: list[str]

        def apply(self, incident: "Incident") -> None:
            for task_id in self.task_ids:
                task = incident.tasks[task_id]
                incident.tasks[task_id] = task.carried(self.follow_up, self.timestamp, self.by)
            incident.follow_ups = [*incident.follow_ups, self.follow_up]

    class TasksCarriedIn(Event):
        """A follow-up's first work: the open tasks of the incident it `follows` (a reference)."""

        NAME = "tasks_carried_in"

        follows: str
        tasks: list[dict[str, Any]]

        def apply(self, incident: "Incident") -> None:
            incident.follows = self.follows
            for data in self.tasks:
                incident.tasks[data["task_id"]] = Task.from_dict(data)

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
            incident.notes[self.corrects] = replace(original, corrected_by=self.note_id)
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
            incident.notes[self.note_id] = replace(
                note, shared_with=(*note.shared_with, self.organisation)
            )

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
            for note_id, note in incident.notes.items():
                if self.organisation in note.shared_with:
                    kept = tuple(o for o in note.shared_with if o != self.organisation)
                    incident.notes[note_id] = replace(note, shared_with=kept)

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

    class EveryoneAccountedFor(Event):
        """When everyone (students, staff, visitors) was accounted for: the first report."""

        NAME = "everyone_accounted_for"

        moment: datetime

        def apply(self, incident: "Incident") -> None:
            incident.everyone_accounted_for = TimedMoment(self.moment, self.timestamp, self.by)

    class ReunificationCompleted(Event):
        """When the last student was reunified with an adult allowed to take them."""

        NAME = "reunification_completed"

        moment: datetime

        def apply(self, incident: "Incident") -> None:
            incident.reunification_completed = TimedMoment(self.moment, self.timestamp, self.by)

    class ParticipantsRecorded(Event):
        """How many took part (a drill's record holds it); a later one replaces it."""

        NAME = "participants_recorded"

        count: int
        note: str

        def apply(self, incident: "Incident") -> None:
            incident.participants = Participants(self.count, self.note, self.timestamp, self.by)

    class ChangeToMakeRecorded(Event):
        """An item of "what to change" for next time, from the after-action review."""

        NAME = "change_to_make_recorded"

        change_id: str
        text: str

        def apply(self, incident: "Incident") -> None:
            incident.changes_to_make = [
                *incident.changes_to_make,
                ChangeToMake(self.change_id, self.text, self.timestamp, self.by),
            ]

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
        drill: bool = False,
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
        self.milestones: dict[str, RecordedMilestone] = {}  # recorded ones, by id
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
        self.follows = ""  # the reference of the incident this one follows up, if any
        self.follow_ups: list[str] = []  # references of follow-ups its open tasks went into
        self.drill = drill  # a drill of its kind: never to be taken for the real thing
        self.everyone_accounted_for: TimedMoment | None = None
        self.reunification_completed: TimedMoment | None = None
        self.participants: Participants | None = None
        self.changes_to_make: list[ChangeToMake] = []
