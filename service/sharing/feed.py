"""What each partner organisation may receive of the event feed, decided event by event with
what was true when the event happened: an incident reaches a partner only between its share and
the end of that share, and then only the parts about the organisation's own tasks and the notes
shared with it, with everything else cut out.

The decisions are made once per event, in log order, and kept by position: a partner catching up
from any position gets what a partner connected at the time got live, except what an ended share
showed. When a share ends, every view it gave the organisation is withdrawn, so no surface serves
it again (catch-up, the event API, a socket still waiting to send it); only the end of the share
itself stays, so a client that was away learns that the incident is gone. Only views some
partner may still see are kept, so the memory grows with what is shared now, not with the log."""

from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

from domain.incident import Incident
from domain.people import Assignee
from service.live.feed_events import FeedEvent, plain
from service.live.log_fold import LogFold
from service.sharing.view import assigned_to, names_partner

Redaction = Callable[[Incident, FeedEvent, str, dict[str, Any]], dict[str, Any] | None]


class PartnerFeed(LogFold[FeedEvent]):
    def __init__(self, read_after: Callable[[int, int], list[FeedEvent]]) -> None:
        super().__init__(read_after)
        self._incidents: dict[UUID, Incident] = {}
        self._views: dict[int, dict[str, FeedEvent]] = {}
        # The positions of the views each open share gave its organisation, to withdraw them
        # when the share ends.
        self._open: dict[tuple[UUID, str], list[int]] = {}

    def view(self, organisation: str, event: FeedEvent) -> FeedEvent | None:
        """The event as the organisation may see it, or None if none of it is theirs."""
        if event.position > self.position:
            self.catch_up()
        return self._views.get(event.position, {}).get(organisation)

    def views(self, organisation: str, events: list[FeedEvent]) -> list[FeedEvent | None]:
        """The events (in log order) as the organisation may see them, decided once the feed
        has folded the last of them: a share that ended among them withdraws what it showed."""
        if events and events[-1].position > self.position:
            self.catch_up()
        return [self._views.get(e.position, {}).get(organisation) for e in events]

    def shown(self, organisation: str, position: int) -> bool:
        """Whether the organisation may still be sent its view of the event at `position`, a
        position this feed has folded (a view decided earlier and not yet sent may have been
        withdrawn since). Never reads the store: the live feed asks from the event loop."""
        return organisation in self._views.get(position, {})

    def fold(self, events: list[FeedEvent]) -> None:
        """Takes events the caller read in log order, straight after this feed's position."""
        with self._lock:
            self._fold(events)

    def _fold(self, events: list[FeedEvent]) -> None:
        for event in events:
            if event.position <= self.position:
                continue
            incident = self._incidents.get(event.incident_id)
            before = _facts_before(incident, event)
            incident = event.event.mutate(incident)
            self._incidents[event.incident_id] = incident
            views = {}
            for organisation in {*before["shares"], *incident.shares}:
                data = _REDACTIONS.get(event.type, _nothing)(incident, event, organisation, before)
                if data is not None:
                    views[organisation] = replace(event, data=data)
            if views:
                self._views[event.position] = views
            for organisation in views:
                key = (event.incident_id, organisation)
                if event.type == Incident.ShareEnded.NAME:
                    self._withdraw(self._open.pop(key, []), organisation)
                else:
                    self._open.setdefault(key, []).append(event.position)
            self.position = event.position

    def _withdraw(self, positions: list[int], organisation: str) -> None:
        for position in positions:
            views = self._views.get(position, {})
            views.pop(organisation, None)
            if not views:
                self._views.pop(position, None)


def _facts_before(incident: Incident | None, event: FeedEvent) -> dict[str, Any]:
    """What the redactions need to know from just before the event."""
    if incident is None:
        return {"shares": set(), "assignee": None}
    task = incident.tasks.get(event.data.get("task_id", ""))
    # Copied out: folding the event changes the task in place.
    return {"shares": set(incident.shares), "assignee": task.assignee if task else None}


def _nothing(*_: Any) -> None:
    return None


def _whole(incident: Incident, event: FeedEvent, organisation: str, before: dict) -> dict | None:
    return dict(event.data) if organisation in incident.shares else None


def _share(incident: Incident, event: FeedEvent, organisation: str, before: dict) -> dict | None:
    if event.data["organisation"] != organisation:
        return None  # another partner's share is not this one's business
    return {"organisation": organisation, "organisation_name": event.data["organisation_name"]}


def _own_task(incident: Incident, event: FeedEvent, organisation: str, before: dict) -> dict | None:
    task = incident.tasks.get(event.data["task_id"])
    if organisation not in incident.shares or task is None or not assigned_to(task, organisation):
        return None
    return dict(event.data)


def _assignment(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    if organisation not in incident.shares:
        return None
    task = incident.tasks[event.data["task_id"]]
    if assigned_to(task, organisation):
        # The partner never saw the task being added: the assignment brings its details.
        details = {
            "title": task.title,
            "instructions": task.instructions,
            "phase": task.phase.value,
            "owner_role": task.owner_role,
            "due_at": task.due_at,
            "status": task.status.value,
        }
        return {**event.data, "task": plain(details)}
    if names_partner(before["assignee"], organisation):
        # Taken from them: they learn it is no longer theirs, not who has it now.
        return {"task_id": task.id, "assignee_kind": "", "assignee": ""}
    return None


def _note_shared(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    if event.data["organisation"] != organisation:
        return None
    note = incident.notes[event.data["note_id"]]
    task = incident.tasks.get(note.task_id)
    return {
        **event.data,
        "note": plain(
            {
                "text": note.text,
                "task_id": note.task_id if task and assigned_to(task, organisation) else "",
                "at": note.at,
                "by": note.by.as_dict(),
            }
        ),
    }


def _correction(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    note = incident.notes[event.data["note_id"]]
    if organisation not in incident.shares or organisation not in note.shared_with:
        return None
    return dict(event.data)


def _only(*keys: str) -> Redaction:
    def redact(
        incident: Incident, event: FeedEvent, organisation: str, before: dict
    ) -> dict | None:
        if organisation not in incident.shares:
            return None
        return {key: event.data[key] for key in keys}

    return redact


def _milestone_due(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    """A recorded milestone tells a partner only the new due dates of its own tasks (the
    milestone itself, a student's discharge say, is the district's)."""
    if organisation not in incident.shares:
        return None
    due = {
        task_id: due_at
        for task_id, due_at in event.data["due"].items()
        if assigned_to(incident.tasks[task_id], organisation)
    }
    return {"due": due} if due else None


def _carried_over(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    """Only the partner's own tasks, and where they went on (a follow-up that carries a
    partner's task is shared with that partner)."""
    if organisation not in incident.shares:
        return None
    theirs = [t for t in event.data["task_ids"] if assigned_to(incident.tasks[t], organisation)]
    return {"follow_up": event.data["follow_up"], "task_ids": theirs} if theirs else None


def _carried_in(
    incident: Incident, event: FeedEvent, organisation: str, before: dict
) -> dict | None:
    if organisation not in incident.shares:
        return None
    theirs = [t for t in event.data["tasks"] if names_partner(_assignee_of(t), organisation)]
    return {"follows": event.data["follows"], "tasks": theirs} if theirs else None


def _assignee_of(task: dict[str, Any]) -> Assignee | None:
    return Assignee(task["assignee_kind"], task["assignee"]) if task.get("assignee") else None


_REDACTIONS: dict[str, Redaction] = {
    Incident.MilestoneRecorded.NAME: _milestone_due,
    Incident.Shared.NAME: _share,
    Incident.ShareEnded.NAME: _share,
    Incident.TaskAdded.NAME: _nothing,  # tasks are added unassigned; assignment shows them
    Incident.TaskAssigned.NAME: _assignment,
    Incident.TaskStatusChanged.NAME: _own_task,
    Incident.TaskRescheduled.NAME: _own_task,
    Incident.TasksCarriedOver.NAME: _carried_over,
    Incident.TasksCarriedIn.NAME: _carried_in,
    Incident.NoteShared.NAME: _note_shared,
    Incident.NoteCorrected.NAME: _correction,
    Incident.SeverityChanged.NAME: _only("severity"),  # the reason may name people
    Incident.PhaseAdvanced.NAME: _whole,
    Incident.Closed.NAME: _only(),  # the review summary is the district's
    Incident.Reopened.NAME: _only("phase"),
}
