"""When a command based on a version of an incident is refused: someone changed what it decides
on since (the same task, or for an incident-wide command, a change of the same kind)."""

from collections.abc import Callable

from domain.errors import Conflict, DomainError
from domain.incident import Incident
from domain.numbers import check_whole_number
from service.live.feed_events import FeedEvent

# Incident-wide commands conflict with later changes of the same kind.
SAME_KIND: dict[str, tuple[str, ...]] = {
    "share_incident": ("incident_shared", "incident_share_ended"),
    "end_share": ("incident_shared", "incident_share_ended"),
    "change_severity": ("severity_changed",),
    "advance_phase": ("phase_advanced", "incident_reopened"),
    "close_incident": ("incident_closed", "incident_reopened", "phase_advanced"),
    "reopen_incident": ("incident_reopened",),
    "mark_confidential": ("incident_marked_confidential", "incident_unmarked_confidential"),
    "unmark_confidential": ("incident_marked_confidential", "incident_unmarked_confidential"),
    "add_to_case_team": ("case_team_member_added", "case_team_member_removed"),
    "remove_from_case_team": ("case_team_member_added", "case_team_member_removed"),
}


def check_unchanged(
    incident: Incident,
    based_on: int,
    name: str,
    task_id: str | None,
    events_of: Callable[..., list[FeedEvent]],
    visible: Callable[[FeedEvent], bool] | None = None,
) -> None:
    """Raises Conflict if what the command `name` decides on changed after version `based_on`;
    `events_of(ref, after_version=...)` reads the incident's events."""
    check_whole_number("based-on version", based_on, least=1)
    if based_on > incident.version:
        raise DomainError(
            f"{incident.reference} is at version {incident.version}; "
            f"it has no version {based_on} to base a change on"
        )
    if based_on == incident.version:
        return
    since = events_of(str(incident.id), after_version=based_on)
    if visible is not None:
        since = [e for e in since if visible(e)]
    if task_id is not None:
        relevant = [e for e in since if e.data.get("task_id") == task_id]
        subject = f"task {task_id} '{incident.task(task_id).title}'"
    else:
        relevant = [e for e in since if e.type in SAME_KIND.get(name, ())]
        subject = incident.reference
    if relevant:
        changes = "; ".join(
            f"{e.type.replace('_', ' ')} by {e.event.by} at {e.at:%Y-%m-%d %H:%M} UTC "
            f"(version {e.version})"
            for e in relevant
        )
        raise Conflict(
            f"{subject} changed after version {based_on}: {changes}. "
            "Reload the incident and decide again."
        )
