"""Telling an incident's events in plain language, each with what was true at that moment.

The narrator folds the events one by one (with the events' own mutate(), as
`service.incidents.queries.project` does), so each entry is told with the task's title and
phase, the note a correction replaced, the severity before a change, as they were then.
Nothing here reads today's state to explain the past.

Phase of an entry: for an entry about a task (a task event, or a note about a task) it is that
task's phase; for anything else it is the incident's phase once the event had happened (so a
`phase_advanced` entry belongs to the phase it moved into).
"""

from collections.abc import Callable, Iterable
from typing import Any
from zoneinfo import ZoneInfo

from domain.incident import Incident
from domain.kinds import KINDS
from domain.phase import Phase
from domain.severity import SEVERITIES
from domain.task import SETTLED, Status
from service.live.feed_events import FeedEvent
from service.timelines.local_times import LocalTimes

Entry = dict[str, Any]
PHASES = {phase: phase.value for phase in Phase}  # quicker than .value, once per entry
PLAYBOOK_APPLIED = Incident.PlaybookApplied.NAME
CORRECTED = Incident.NoteCorrected.NAME
RESCHEDULED = Incident.TaskRescheduled.NAME
MILESTONE_RECORDED = Incident.MilestoneRecorded.NAME
# Events whose moment is told in the district's time, as entries are.
TIMED = frozenset(
    {
        MILESTONE_RECORDED,
        Incident.EveryoneAccountedFor.NAME,
        Incident.ReunificationCompleted.NAME,
    }
)
NOTE_WRITTEN = frozenset({Incident.NoteAdded.NAME, CORRECTED})


Positioned = tuple[int, Incident.Event]  # an event and its position in the log


def narrate(events: Iterable[FeedEvent], zone: ZoneInfo) -> list[Entry]:
    """Every event told in order, with what was true at that moment."""
    return Narrator(zone).tell((e.position, e.event) for e in events)


Correction = tuple[int, Entry]  # the version of the note's entry, and its "corrected_by"


class Teller:
    """Tells an incident's events one by one and keeps only what telling the next one needs: the
    incident folded so far and the version that wrote each note (not the entries it told)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.times = LocalTimes(zone)
        self.incident: Incident | None = None
        self.version = 0
        self._note_versions: dict[str, int] = {}  # note id -> version of the entry that wrote it

    def follow(self, events: Iterable[Incident.Event]) -> None:
        """Folds events without telling them: to go on telling from where a stored timeline
        ends."""
        incident = self.incident
        for event in events:
            incident = event.mutate(incident)
            if event.NAME in NOTE_WRITTEN:
                self._note_versions[event.note_id] = event.originator_version
        self.incident = incident
        self.version = incident.version if incident is not None else 0

    def tell_one(self, position: int, event: Any) -> tuple[Entry, Correction | None]:
        """The event's entry and, for a correction, what the corrected note's entry gains.

        If an event cannot be told, the teller is left part-way: start a new one."""
        name = event.NAME
        before = self.incident
        was = BEFORE[name](event, before) if before is not None and name in BEFORE else None
        if name == RESCHEDULED:  # due times are told in the district's time, as entries are
            was = (self.times(was)[1] if was else "", self.times(event.due_at)[1])
        elif name in TIMED:  # its moment too, in the district's words
            was = self.times(event.moment)[1]
        incident = self.incident = event.mutate(before)
        assert incident is not None
        self.version = event.originator_version
        what, task_id = SENTENCES.get(name, _unknown)(event, incident, was)
        task = incident.tasks.get(task_id) if task_id else None
        at, at_text = self.times(event.timestamp)
        user, role = event.actor["user"], event.actor["role"]
        entry: Entry = {
            "position": position,
            "version": event.originator_version,
            "at": at,
            "at_text": at_text,
            "actor": {"user": user, "role": role},
            "type": name,
            "task_id": task_id,
            "phase": PHASES[task.phase if task else incident.phase],
            "text": f"{user} ({role}) {what}",
            "what": what,  # the text without the actor, for pages that show the actor apart
        }
        correction = None
        if name in NOTE_WRITTEN:
            entry["note_id"] = event.note_id
            entry["note_text"] = event.text
            self._note_versions[event.note_id] = entry["version"]
            if name == CORRECTED:
                correction = self._correct(entry, event, incident)
        elif name == PLAYBOOK_APPLIED:
            entry["task_ids"] = [t["task_id"] for t in event.tasks]
        return entry, correction

    def _correct(
        self, entry: Entry, event: Incident.NoteCorrected, incident: Incident
    ) -> Correction:
        """Links a correction to the entry of the note it corrects, both ways."""
        original = incident.notes[event.corrects]
        original_at, original_at_text = self.times(original.at)
        original_version = self._note_versions[event.corrects]
        entry["corrects"] = {
            "note_id": original.id,
            "original_text": original.text,
            "original_at": original_at,
            "original_at_text": original_at_text,
            "original_by": original.by.as_dict(),
            "reason": event.reason,
            "original_version": original_version,
        }
        return original_version, {
            "note_id": entry["note_id"],
            "version": entry["version"],
            "at": entry["at"],
            "at_text": entry["at_text"],
            "by": entry["actor"],
            "reason": event.reason,
        }


def corrected(entry: Entry, corrected_by: Entry) -> Entry:
    """A copy of a note's entry that says which correction replaced it."""
    return {**entry, "corrected_by": corrected_by}


class Narrator(Teller):
    """A teller that also keeps every entry it told, so it can hand out the whole timeline.

    An entry once handed out is never changed (another thread may be reading it): a correction
    replaces its original's entry, in a new list, with a copy that says it was corrected."""

    def __init__(self, zone: ZoneInfo) -> None:
        super().__init__(zone)
        self.entries: list[Entry] = []

    def tell(self, events: Iterable[Positioned]) -> list[Entry]:
        """Tells the events that follow those told already; returns every entry, as a new list.

        If an event cannot be told, the narrator is left part-way: start a new one."""
        entries = list(self.entries)
        for position, event in events:
            entry, correction = self.tell_one(position, event)
            entries.append(entry)
            if correction is not None:
                index = correction[0] - 1
                entries[index] = corrected(entries[index], correction[1])
        self.entries = entries
        return entries


# -- one sentence per kind of event -------------------------------------------------------------
# Each tells what the actor did (the text after "user (role) ") and which task it is about.
# `was` is what the event changed, as it stood just before (see BEFORE).

Sentence = tuple[str, str | None]  # what the actor did, and the task it is about


def _status_before(event: Incident.TaskStatusChanged, incident: Incident) -> Status | None:
    task = incident.tasks.get(event.task_id)
    return task.status if task else None


# What an event is about to change, for the kinds whose sentence says what it was.
BEFORE: dict[str, Callable[[Any, Incident], Any]] = {
    "task_status_changed": _status_before,
    "task_rescheduled": lambda event, incident: incident.tasks[event.task_id].due_at,
    "severity_changed": lambda event, incident: incident.severity,
    "phase_advanced": lambda event, incident: incident.phase.value,
}


def _task_name(incident: Incident, task_id: str) -> str:
    task = incident.tasks.get(task_id)
    return f"{task_id} '{task.title}'" if task else task_id


def _opened(event: Incident.Opened, incident: Incident, was: Any) -> Sentence:
    schools = ", ".join(event.schools)
    kind = KINDS.get(event.kind, event.kind)
    severity = f"severity {event.severity} ({SEVERITIES[event.severity]})"
    # A drill says so first: a timeline printed or exported must not read as the real thing.
    what = "opened DRILL" if event.drill else "opened"
    return f"{what} {event.reference} '{event.title}' at {schools}: {kind}, {severity}", None


def _playbook_applied(event: Incident.PlaybookApplied, incident: Incident, was: Any) -> Sentence:
    count, shared = len(event.tasks), len(event.shared_steps)
    also = f", {shared} step{'' if shared == 1 else 's'} shared with tasks already laid out"
    return (
        f"applied playbook '{event.playbook_title}' v{event.playbook_version} "
        f"({count} task{'' if count == 1 else 's'}{also if shared else ''})"
    ), None


def _milestone_recorded(
    event: Incident.MilestoneRecorded, incident: Incident, was: str
) -> Sentence:
    count = len(event.due)  # `was` is the moment in the district's time
    text = (
        f"recorded '{event.title}' at {was}: "
        f"{count} task{'' if count == 1 else 's'} now due from it"
    )
    return (f"{text} (again: {event.reason})" if event.reason else text), None


def _everyone_accounted_for(event: Any, incident: Incident, was: str) -> Sentence:
    return f"recorded everyone accounted for at {was}", None


def _reunification_completed(event: Any, incident: Incident, was: str) -> Sentence:
    return f"recorded reunification completed (the last student reunified) at {was}", None


def _participants_recorded(
    event: Incident.ParticipantsRecorded, incident: Incident, was: Any
) -> Sentence:
    said = f": {event.note}" if event.note else ""
    return f"recorded {event.count} participant{'' if event.count == 1 else 's'}{said}", None


def _change_to_make(event: Incident.ChangeToMakeRecorded, incident: Incident, was: Any) -> Sentence:
    return f"recorded what to change ({event.change_id}): {event.text}", None


def _task_added(event: Incident.TaskAdded, incident: Incident, was: Any) -> Sentence:
    data = event.task
    return (
        f"added {data['task_id']} '{data['title']}' ({data['phase']}, owner {data['owner_role']})"
    ), data["task_id"]


def _task_assigned(event: Incident.TaskAssigned, incident: Incident, was: Any) -> Sentence:
    name = _task_name(incident, event.task_id)
    return f"assigned {name} to {event.assignee} ({event.assignee_kind})", event.task_id


def _task_status_changed(
    event: Incident.TaskStatusChanged, incident: Incident, was: Status | None
) -> Sentence:
    name = _task_name(incident, event.task_id)
    to = event.status  # Status is a StrEnum: its members equal their text
    if to == Status.DONE:
        # Done as the incident closed carries the review as its reason, and no note.
        said = event.note or event.reason
        what = f"completed {name}: {said}" if said else f"completed {name}"
    elif to == Status.NOT_APPLICABLE:
        what = f"marked {name} not applicable: {event.reason}"
    elif to == Status.BLOCKED:
        what = f"blocked {name}: {event.reason}"
    elif to == Status.IN_PROGRESS:
        what = f"resumed {name}" if was == Status.BLOCKED else f"started {name}"
    elif was in SETTLED:
        what = f"reopened {name}: {event.reason}"
    else:
        what = f"moved {name} back to to do"
        what = f"{what}: {event.reason}" if event.reason else what
    return what, event.task_id


def _task_rescheduled(
    event: Incident.TaskRescheduled, incident: Incident, was: tuple[str, str]
) -> Sentence:
    name = _task_name(incident, event.task_id)
    before, after = was  # the due times before and after, in the district's words
    moved = f"from {before} " if before else ""
    return f"rescheduled {name} {moved}to {after}: {event.reason}", event.task_id


def _tasks_carried_over(event: Incident.TasksCarriedOver, incident: Incident, was: Any) -> Sentence:
    count = len(event.task_ids)
    tasks = f"{count} open task{'' if count == 1 else 's'}"
    ids = ", ".join(event.task_ids)
    return f"carried {tasks} into follow-up incident {event.follow_up}: {ids}", None


def _tasks_carried_in(event: Incident.TasksCarriedIn, incident: Incident, was: Any) -> Sentence:
    count = len(event.tasks)
    tasks = f"{count} task{'' if count == 1 else 's'}"
    return f"carried {tasks} still open in {event.follows} into this follow-up incident", None


def _note_added(event: Incident.NoteAdded, incident: Incident, was: Any) -> Sentence:
    about = f" about {_task_name(incident, event.task_id)}" if event.task_id else ""
    return f"added note {event.note_id}{about}: '{event.text}'", event.task_id or None


def _note_corrected(event: Incident.NoteCorrected, incident: Incident, was: Any) -> Sentence:
    original = incident.notes[event.corrects]
    what = f"corrected note {event.corrects}: '{original.text}' → '{event.text}' ({event.reason})"
    return what, original.task_id or None  # a correction is about the task its note was


def _severity_changed(event: Incident.SeverityChanged, incident: Incident, was: Any) -> Sentence:
    text = (
        f"changed severity from {was} ({SEVERITIES[was]}) "
        f"to {event.severity} ({SEVERITIES[event.severity]})"
    )
    return (f"{text}: {event.reason}" if event.reason else text), None


def _phase_advanced(event: Incident.PhaseAdvanced, incident: Incident, was: Any) -> Sentence:
    return f"moved the incident from {was} to {event.phase}", None


def _closed(event: Incident.Closed, incident: Incident, was: Any) -> Sentence:
    return f"closed the incident: {event.review_summary}", None


def _reopened(event: Incident.Reopened, incident: Incident, was: Any) -> Sentence:
    return f"reopened the incident in {event.phase}: {event.reason}", None


def _shared(event: Incident.Shared, incident: Incident, was: Any) -> Sentence:
    return f"shared the incident with {event.organisation_name}", None


def _share_ended(event: Incident.ShareEnded, incident: Incident, was: Any) -> Sentence:
    text = f"ended the share with {event.organisation_name}"
    return (f"{text}: {event.reason}" if event.reason else text), None


def _note_shared(event: Incident.NoteShared, incident: Incident, was: Any) -> Sentence:
    task_id = incident.notes[event.note_id].task_id  # sharing a note about a task is about it
    return f"shared note {event.note_id} with {event.organisation_name}", task_id or None


def _marked_confidential(
    event: Incident.MarkedConfidential, incident: Incident, was: Any
) -> Sentence:
    text = "marked the incident confidential: only crisis leads, its case team and auditors see it"
    return (f"{text} ({event.reason})" if event.reason else text), None


def _unmarked_confidential(
    event: Incident.UnmarkedConfidential, incident: Incident, was: Any
) -> Sentence:
    return f"unmarked the incident confidential: {event.reason}", None


def _case_team_added(event: Incident.CaseTeamMemberAdded, incident: Incident, was: Any) -> Sentence:
    return f"added {event.username} to the case team", None


def _case_team_removed(
    event: Incident.CaseTeamMemberRemoved, incident: Incident, was: Any
) -> Sentence:
    text = f"removed {event.username} from the case team"
    return (f"{text}: {event.reason}" if event.reason else text), None


def _unknown(event: Any, incident: Incident, was: Any) -> Sentence:
    """A kind of event this module has no sentence for yet: named, never dropped."""
    return f"recorded {event.NAME.replace('_', ' ')}", getattr(event, "task_id", "") or None


# Keyed by the events' stable public names (the `type` of every entry and feed event).
SENTENCES: dict[str, Callable[[Any, Incident, Any], Sentence]] = {
    "incident_opened": _opened,
    "playbook_applied": _playbook_applied,
    "task_added": _task_added,
    "task_assigned": _task_assigned,
    "task_status_changed": _task_status_changed,
    "task_rescheduled": _task_rescheduled,
    "tasks_carried_over": _tasks_carried_over,
    "tasks_carried_in": _tasks_carried_in,
    "note_added": _note_added,
    "note_corrected": _note_corrected,
    "severity_changed": _severity_changed,
    "phase_advanced": _phase_advanced,
    "incident_closed": _closed,
    "incident_reopened": _reopened,
    "incident_shared": _shared,
    "incident_share_ended": _share_ended,
    "note_shared": _note_shared,
    "incident_marked_confidential": _marked_confidential,
    "incident_unmarked_confidential": _unmarked_confidential,
    "case_team_member_added": _case_team_added,
    "case_team_member_removed": _case_team_removed,
    "milestone_recorded": _milestone_recorded,
    "everyone_accounted_for": _everyone_accounted_for,
    "reunification_completed": _reunification_completed,
    "participants_recorded": _participants_recorded,
    "change_to_make_recorded": _change_to_make,
}
