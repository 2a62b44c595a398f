"""What the auditor's pages share: the links between them, full times, words for event kinds."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from service.timelines.reading import EVENT_KINDS, local_time
from web.rendering import role_label

EVENT_KIND_LABELS = {kind: kind.replace("_", " ").capitalize() for kind in EVENT_KINDS}


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


def labelled(entry: dict[str, Any]) -> dict[str, Any]:
    """A timeline entry with words for its kind and its actor's role."""
    return {
        **entry,
        "kind_label": EVENT_KIND_LABELS.get(entry["type"], entry["type"]),
        "role_label": role_label(entry["actor"]["role"]),
    }
