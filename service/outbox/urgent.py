"""Emails about urgent tasks, derived from the event log: when an urgent task is added (its
owner role's holders are told) and when one is assigned (the assignee is: the person, every
enabled account holding the role or position, or the partner organisation's people).

Only people who see the incident whole (a partner's people: their share of it) are emailed,
and an email says no more than the board would show them of the task: the incident's
reference, the task's id and title, its due time and a link. Its key names the event (incident
id and version), the task and the account (id): the same event derives the same messages."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from domain.account import Account
from domain.incident import Incident
from domain.task import Task
from service.access.need_to_know import SchoolNames, Sight, sight
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.outbox.store import Message

KIND = "urgent_task"


@dataclass(frozen=True)
class UrgentWork:
    """An urgent task that someone has just been given: by whom it is to be done."""

    incident_id: UUID
    version: int
    reference: str
    task_id: str
    assignee_kind: str  # "role" (its owner role, when just added), "person", "partner"
    assignee: str


def urgent_work(events: Iterable[FeedEvent], incidents: "IncidentLookup") -> list[UrgentWork]:
    """The urgent tasks these events add or assign, with whom they go to."""
    found: list[UrgentWork] = []
    for feed_event in events:
        event = feed_event.event
        base = (feed_event.incident_id, feed_event.version, feed_event.reference)
        if isinstance(event, Incident.TaskAdded | Incident.PlaybookApplied):
            added = [event.task] if isinstance(event, Incident.TaskAdded) else event.tasks
            for task in added:
                if task.get("urgent"):
                    kind, name = _who(task)
                    found.append(UrgentWork(*base, task["task_id"], kind, name))
        elif isinstance(event, Incident.TaskAssigned):
            task = incidents.task(feed_event.reference, event.task_id)
            if task is not None and task.urgent:
                found.append(UrgentWork(*base, event.task_id, event.assignee_kind, event.assignee))
    return found


def _who(task: dict[str, Any]) -> tuple[str, str]:
    if task.get("assignee"):
        return str(task["assignee_kind"]), str(task["assignee"])
    return "role", str(task["owner_role"])


class IncidentLookup:
    """The incidents' current state, to read an assigned task's urgency and title."""

    def __init__(self, steady: Steady) -> None:
        self.steady = steady

    def incident(self, reference: str) -> Incident:
        return self.steady.incident(reference)

    def task(self, reference: str, task_id: str) -> Task | None:
        return self.incident(reference).tasks.get(task_id)


def recipients(
    work: UrgentWork, incident: Incident, accounts: Sequence[Account], names: SchoolNames
) -> list[Account]:
    """Who is emailed: enabled accounts with an address that the work is given to and that may
    see the incident (whole; a partner's people their share)."""
    chosen = []
    for account in accounts:
        if account.disabled or not account.email:
            continue
        if work.assignee_kind == "person":
            given = account.username == work.assignee.strip().casefold()
            wanted = Sight.WHOLE
        elif work.assignee_kind == "partner":
            given = account.organisation == work.assignee
            wanted = Sight.SHARED
        else:  # a role or position (a permission role owns tasks too)
            given = work.assignee in account.positions or work.assignee in account.roles
            wanted = Sight.WHOLE
        if given and sight(names.viewer(account), incident) >= wanted:
            chosen.append(account)
    return chosen


def _due(task: Task, zone: ZoneInfo) -> str:
    if task.due_at is None:
        return "no due time"
    return f"{task.due_at.astimezone(zone):%A %d %B %Y, %H:%M} ({zone.key})"


def urgent_email(
    work: UrgentWork,
    task: Task,
    account: Account,
    *,
    public_url: str,
    zone: ZoneInfo,
    drill: bool = False,
) -> Message:
    """`drill`: the task is a drill's: the subject and the first line say so, so no one
    takes it for the real thing (and no one takes a real one for a drill)."""
    given = {
        "person": "you",
        "partner": "your organisation",
    }.get(work.assignee_kind, f"the role {work.assignee}")
    link = f"{public_url}/incidents/{work.reference}#task-{task.id}"
    body = (
        ("DRILL: this task is part of a drill, not a real incident.\n\n" if drill else "")
        + f"An urgent task on {work.reference} is given to {given}:\n\n"
        f"  {task.id} {task.title}\n"
        f"  Due: {_due(task, zone)}\n\n"
        f"Open the incident: {link}\n\n"
        "Steady emails you when urgent work is yours. Sign in to see the incident; this email "
        "holds nothing more than the task's title.\n"
    )
    return Message(
        key=f"{KIND}/{work.incident_id}/{work.version}/{task.id}/{account.id}",
        kind=KIND,
        to=account.email,
        subject=("DRILL: " if drill else "") + f"Urgent: {task.id} {task.title} ({work.reference})",
        body=body,
    )


class UrgentEmails:
    """Derives the urgent-task emails of a batch of events (the outbox follower's part)."""

    def __init__(
        self, steady: Steady, accounts: Accounts, names: SchoolNames, *, public_url: str
    ) -> None:
        self.steady = steady
        self.accounts = accounts
        self.names = names
        self.public_url = public_url
        self.lookup = IncidentLookup(steady)

    def derive(self, events: Sequence[FeedEvent]) -> list[Message]:
        work = urgent_work(events, self.lookup)
        if not work:
            return []
        people = self.accounts.list_users()
        messages = []
        for item in work:
            incident = self.lookup.incident(item.reference)
            task = incident.tasks.get(item.task_id)
            if task is None or incident.closed or not task.is_open:
                continue  # settled meanwhile: no one needs telling now
            for account in recipients(item, incident, people, self.names):
                messages.append(
                    urgent_email(
                        item,
                        task,
                        account,
                        public_url=self.public_url,
                        zone=self.steady.zone,
                        drill=incident.drill,
                    )
                )
        return messages
