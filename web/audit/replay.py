"""The replay page: the incident exactly as it stood after any version, or at any moment, with
what that version changed. A plain form and links; replay.js moves it without page loads."""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from domain.errors import DomainError, InvalidValue
from domain.moments import check_moment
from service.incidents.application import Steady
from service.incidents.as_json import incident_view
from service.incidents.diff import at_version, diff_views
from service.incidents.queries import project
from service.live.feed_events import FeedEvent
from service.timelines.local_times import in_zone
from service.timelines.reading import local_time, narrate
from web.access.auth import abilities
from web.audit.shared import audit_nav, labelled
from web.dependencies import NoteView
from web.rendering import (
    STATUS_LABELS,
    board_parts,
    context,
    format_time,
    page,
    page_route,
    role_titles,
    who,
)

FIELD_LABELS = {
    "title": "Title",
    "severity": "Severity",
    "phase": "Phase",
    "status": "Status",
    "summary": "Summary",
    "review_summary": "Review summary",
    "schools": "Schools",
}
TASK_FIELD_LABELS = {
    "status": "Status",
    "assignee": "Assigned to",
    "done_note": "Completion note",
    "reason": "Reason",
    "due_at": "Due",
    "title": "Title",
    "phase": "Phase",
    "owner_role": "Owner",
}
MANY = 5  # longer lists of changes fold away


def _moment_from(text: str, zone: ZoneInfo) -> datetime:
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=zone)


def _input_value(local: datetime) -> str:
    """A datetime-local input's value: four-digit years, which strftime's %Y does not give."""
    return local.replace(tzinfo=None, microsecond=0).isoformat()


def _choose_version(
    steady: Steady, ref: str, events: list[FeedEvent], version: str, at: str, zone: ZoneInfo
) -> tuple[int, datetime | None]:
    """The version to show (and the moment asked for, if one was); DomainError if neither fits."""
    if at:
        try:
            when = _moment_from(at, zone)
        except ValueError:
            raise DomainError(
                f"“{at}” is not a moment: choose a date and time, e.g. 2026-11-23T09:30"
            ) from None
        check_moment("at", when)
        count = sum(1 for e in events if e.at <= when)
        if not count:
            opened = local_time(events[0].at, zone)[1]
            asked = local_time(when, zone)[1]
            raise DomainError(
                f"{events[0].reference} was opened {opened}; there is nothing to show at {asked}."
            )
        return count, when
    if not version:
        return len(events), None
    try:
        number = int(version)
    except ValueError:
        raise DomainError(f"“{version}” is not a version number.") from None
    at_version(steady, ref, events, number)  # refuses a version outside the stream
    return number, None


@page_route("/incidents/{ref:str}/replay", "incident_replay_page", "replay")
def replay_page(
    request: Request,
    steady: NamedDependency[Steady],
    note_view: NamedDependency[NoteView],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    version: Annotated[str | None, QueryParameter(name="version")] = None,
    at: Annotated[str | None, QueryParameter(name="at")] = None,
) -> Response:
    note_view(ref, "replay")
    now = steady.clock()
    events = steady.incident_events(ref)
    reference, latest = events[0].reference, len(events)
    common = {
        "reference": reference,
        "latest": latest,
        "audit_nav": audit_nav(reference, "replay", abilities(who(request))),
        "zone_name": in_zone(events[-1].at, zone).tzname(),
        "at_input": (at or "").strip(),
        "drill": events[0].drill,  # a drill is one at every version: its opening said so
    }
    try:
        number, asked = _choose_version(
            steady, ref, events, (version or "").strip(), (at or "").strip(), zone
        )
    except DomainError as error:
        incident = project(e.event for e in events)
        return page(
            "replay.html",
            context(
                request,
                f"{reference} replay",
                **common,
                error=str(error),
                incident_title=incident.title,
                version=latest,
                board=None,
            ),
            # A moment outside the dates Steady accepts is malformed input, like the API's 400.
            status_code=400 if isinstance(error, InvalidValue) else 422,
        )
    return page(
        "replay.html",
        context(
            request,
            f"{reference} replay: version {number}",
            **common,
            error="",
            version=number,
            board=_replay_board(steady, events, number, asked, zone, now),
        ),
    )


def _replay_board(
    steady: Steady,
    events: list[FeedEvent],
    number: int,
    asked: datetime | None,
    zone: ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    """The incident as it stood after event `number`, and what that event changed."""
    incident = project(e.event for e in events[:number])
    as_of = asked or incident.modified_on
    view = incident_view(incident, as_of)
    entry = labelled(narrate(events[:number], zone)[-1])
    changes = None
    if number > 1:
        before = project(e.event for e in events[: number - 1])
        moment_of = incident.modified_on
        changes = describe_changes(
            diff_views(incident_view(before, moment_of), incident_view(incident, moment_of)),
            {t.id: t.title for t in incident.tasks.values()},
            zone,
            now,
        )
    at_iso, at_text = local_time(incident.modified_on, zone)
    local = in_zone(asked or incident.modified_on, zone)
    return {
        **board_parts(view, role_titles(steady), zone, now),
        "incident_title": incident.title,
        "state_at": {"iso": at_iso, "text": at_text},
        "asked": local_time(asked, zone)[1] if asked else "",
        "at_value": _input_value(local),
        "min_at": _input_value(in_zone(events[0].at, zone)),
        "zone_name": local.tzname(),
        "entry": entry,
        "changes": changes,
        "changed_tasks": set(changes["task_ids"]) if changes else set(),
        "closed": view["status"] == "closed",
    }


def describe_changes(
    changes: dict[str, Any], titles: dict[str, str], zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    """A diff in words: incident fields, then tasks and notes, each a short line."""
    fields = []
    for key, label in FIELD_LABELS.items():
        if key in changes["fields"]:
            change = changes["fields"][key]
            fields.append(
                {
                    "label": label,
                    "from": _plain_value(key, change.get("from"), zone, now),
                    "to": _plain_value(key, change.get("to"), zone, now),
                }
            )
    tasks = changes["tasks"]
    changed_tasks = []
    for task_id, task_fields in tasks["changed"].items():
        lines = [
            {
                "label": TASK_FIELD_LABELS[key],
                "from": _plain_value(key, task_fields[key].get("from"), zone, now),
                "to": _plain_value(key, task_fields[key].get("to"), zone, now),
            }
            for key in TASK_FIELD_LABELS
            if key in task_fields
        ]
        if lines:
            changed_tasks.append({"id": task_id, "title": titles.get(task_id, ""), "lines": lines})
    note_changes = changes["notes"]
    return {
        "fields": fields,
        "added_tasks": [
            {"id": k, "title": t["title"], "phase": t["phase"].capitalize()}
            for k, t in tasks["added"].items()
        ],
        "removed_tasks": [{"id": k, "title": t["title"]} for k, t in tasks["removed"].items()],
        "changed_tasks": changed_tasks,
        "added_notes": [
            {"id": k, "text": n["text"], "corrects": n["corrects"]}
            for k, n in note_changes["added"].items()
        ],
        "task_ids": [*tasks["added"], *(t["id"] for t in changed_tasks)],
        "many": MANY,
    }


def _plain_value(key: str, value: Any, zone: ZoneInfo, now: datetime) -> str:
    if value in (None, ""):
        return "—"
    if key == "status":
        return STATUS_LABELS.get(value, str(value).capitalize())
    if key == "assignee":
        kind = "" if value["kind"] == "person" else f" ({value['kind']})"
        return f"{value['name']}{kind}"
    if key == "due_at":
        shown = format_time(value, zone, now)
        return shown["text"] if shown else "—"
    if key in ("phase", "owner_role"):
        return str(value).replace("-", " ").capitalize()
    if key == "schools":
        return ", ".join(value)
    return str(value)


REPLAY_PAGES = [replay_page]
