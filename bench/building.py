"""Incidents as long as a benchmark needs, built quickly: many events per save.

The incident is built as a real one grows: opened, a playbook applied (its tasks), then notes,
assignments and task status changes (in progress, blocked, done, reopened) until it holds the
events asked for. How it was written does not change how it is read."""

from datetime import UTC, datetime, timedelta

from domain.incident_state import fork
from domain.people import Actor, Assignee
from domain.task import Status
from service.incidents.application import Steady
from service.incidents.snapshots import snapshot_if_due

LEAD = Actor("m.alvarez", "crisis-lead")
COUNSELOR = Actor("k.okafor", "counselor")
EVENTS_PER_SAVE = 1000


def build_incident(app: Steady, events: int) -> str:
    """An incident with exactly `events` events; returns its reference."""
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    ref = app.open_incident(
        title="Lockdown after a report of a weapon",
        kind="lockdown",
        severity=1,
        schools=["Roosevelt High School"],
        summary="Police responded to an anonymous tip.",
        occurred_at=start,
        actor=LEAD,
        at=start,
    ).reference
    app.apply_playbook(ref, "lockdown-or-threat", actor=LEAD, at=start)
    # A fork: what app.incident() returns is shared with the application's readers.
    incident = fork(app.incident(ref))
    task_ids = list(incident.tasks)
    steps = [
        lambda t, at: incident.change_task_status(t, Status.IN_PROGRESS, actor=COUNSELOR, at=at),
        lambda t, at: incident.add_note(f"Update on {t}: families contacted", actor=LEAD, at=at),
        lambda t, at: incident.change_task_status(
            t, Status.BLOCKED, reason="Waiting for the district office", actor=COUNSELOR, at=at
        ),
        lambda t, at: incident.assign_task(t, Assignee("person", "k.okafor"), actor=LEAD, at=at),
        lambda t, at: incident.change_task_status(
            t, Status.DONE, note="Done and checked", actor=COUNSELOR, at=at
        ),
        lambda t, at: incident.change_task_status(
            t, Status.TODO, reason="More families to reach", actor=LEAD, at=at
        ),
        lambda t, at: incident.assign_task(t, Assignee("role", "counselor"), actor=LEAD, at=at),
    ]
    made = incident.version
    step = 0
    while made < events:
        at = start + timedelta(seconds=10 * made)
        task = task_ids[(step // len(steps)) % len(task_ids)]
        steps[step % len(steps)](task, at)
        step += 1
        made += 1
        if made % EVENTS_PER_SAVE == 0 or made == events:
            saved = made - len(incident.pending_events)
            app.save(incident)
            snapshot_if_due(app.snapshots, incident, saved)  # as the incident's writer does
    assert app.incident(ref).version == events
    return ref
