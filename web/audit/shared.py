"""What the auditor's pages share: the incident header, the links between them, full times."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from domain.kinds import KINDS
from service.timelines.reading import EVENT_KINDS, local_time
from web.incidents.pages import moment, note_threads, phase_steps, role_label

KIND_LABELS = {kind: kind.replace("_", " ").capitalize() for kind in EVENT_KINDS}


def header_facts(view: dict[str, Any], zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    """What the incident header shows, as the incident page shows it."""
    return {
        "incident": view,
        "kind_label": KINDS.get(view["kind"], view["kind"]),
        "occurred": moment(view["occurred_at"], zone, now),
        "opened": moment(view["opened_at"], zone, now),
        "last_activity": moment(view["last_activity_at"], zone, now),
        "closed_at": moment(view["closed_at"], zone, now),
        "opened_by_role": role_label(view["opened_by"]["role"]),
        "phases": phase_steps(view["phase"]),
    }


def full_time(value: datetime | str | None, zone: ZoneInfo) -> dict[str, str] | None:
    """A time with its date, year and zone, for a record that is read and printed later."""
    if value is None or value == "":
        return None
    when = datetime.fromisoformat(value) if isinstance(value, str) else value
    iso, text = local_time(when, zone)
    return {"iso": iso, "text": text, "full": text}


def audit_nav(ref: str, current: str, may: dict[str, bool]) -> list[dict[str, Any]]:
    """Links between the live incident and its history pages that the person may open, the
    current one marked."""
    links = [
        ("view_incident", f"/incidents/{ref}", "Live incident", "live"),
        ("view_timeline", f"/incidents/{ref}/timeline", "Timeline", "timeline"),
        ("replay", f"/incidents/{ref}/replay", "Replay", "replay"),
        ("view_timeline", f"/incidents/{ref}/report", "After-action report", "report"),
        ("view_audit_log", f"/incidents/{ref}/views", "Who viewed", "views"),
    ]
    return [
        {"href": href, "label": label, "current": current == name}
        for action, href, label, name in links
        if may.get(action, False)
    ]


def threads_with_titles(
    view: dict[str, Any], zone: ZoneInfo, now: datetime
) -> list[list[dict[str, Any]]]:
    """Note threads (as the incident page shows them), each note with its task's title."""
    tasks = {t["id"]: t for t in view["task_list"]}
    threads = note_threads(view["notes"], zone, now)
    for thread in threads:
        for note in thread:
            task = tasks.get(note["task_id"])
            note["task_title"] = task["title"] if task else ""
    return threads


def labelled(entry: dict[str, Any]) -> dict[str, Any]:
    """A timeline entry with words for its kind and its actor's role."""
    return {
        **entry,
        "kind_label": KIND_LABELS.get(entry["type"], entry["type"]),
        "role_label": role_label(entry["actor"]["role"]),
    }
