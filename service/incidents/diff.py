"""What changed in an incident between two versions, per field, per task and per note.

Both views are drawn at one moment, `as_of`: when the later of the two versions was written.
A task's `overdue` flag depends on the clock as well as on events; drawing both views at the
same moment means the diff shows only what events changed (a status, a due time), never a flag
that flipped because time passed. `as_of` is part of the answer so a reader can draw the same
views.

Lists in the view whose items have ids (`task_list`, `notes`) are compared per item, keyed by
id. `apply_diff(view_a, changes)` gives `view_b` again, in either direction (a later version
to an earlier one works too: items added since then are removed).
"""

import copy
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from domain.incident import Incident
from domain.numbers import is_whole_number
from service.incidents.application import Steady
from service.incidents.as_json import incident_view
from service.incidents.queries import project
from service.live.feed_events import FeedEvent

KEYED_LISTS = {"task_list": "tasks", "notes": "notes"}  # view field -> name in the changes


def diff_incident(steady: Steady, ref: str, from_version: int, to_version: int) -> dict[str, Any]:
    events = steady.incident_events(ref)
    a = at_version(steady, ref, events, from_version)
    b = at_version(steady, ref, events, to_version)
    as_of = max(a.modified_on, b.modified_on)
    low, high = sorted((from_version, to_version))
    return {
        "reference": events[0].reference,
        "from": from_version,
        "to": to_version,
        "direction": "forward" if to_version >= from_version else "backward",
        "as_of": as_of.isoformat(),
        "changes": diff_views(incident_view(a, as_of), incident_view(b, as_of)),
        "events": [e.as_dict() for e in events[low:high]],
    }


def at_version(steady: Steady, ref: str, events: Sequence[FeedEvent], version: int) -> Incident:
    """The incident after the first `version` events, refused as the application refuses it."""
    if not is_whole_number(version, 1, len(events)):
        steady.incident_at_version(ref, version)  # raises its own, clear error
    return project(e.event for e in events[:version])


def views_at(steady: Steady, ref: str, versions: Sequence[int], as_of: datetime) -> list[dict]:
    """The incident's view at each version, drawn at one moment (for tests and comparisons)."""
    events = steady.incident_events(ref)
    return [incident_view(at_version(steady, ref, events, v), as_of) for v in versions]


def diff_views(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """Changes that turn view `a` into view `b`."""
    plain_a = {k: v for k, v in a.items() if k not in KEYED_LISTS}
    plain_b = {k: v for k, v in b.items() if k not in KEYED_LISTS}
    changes: dict[str, Any] = {"fields": _diff_fields(plain_a, plain_b)}
    for field, name in KEYED_LISTS.items():
        changes[name] = _diff_items(a.get(field, []), b.get(field, []))
    return changes


def apply_diff(view: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """The view with the changes applied; the view given is left as it was."""
    result = copy.deepcopy(view)
    _apply_fields(result, changes.get("fields", {}))
    for field, name in KEYED_LISTS.items():
        if name in changes:
            result[field] = _apply_items(result.get(field, []), changes[name])
    return result


def is_empty(changes: dict[str, Any]) -> bool:
    return not changes["fields"] and not any(
        changes[name][part] for name in KEYED_LISTS.values() for part in changes[name]
    )


# -- fields and keyed items ---------------------------------------------------------------------


def _diff_fields(a: dict[str, Any], b: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"from": old, "to": new}}; a field only on one side has only "from" or "to"."""
    changed: dict[str, dict[str, Any]] = {}
    for key in [*a, *(k for k in b if k not in a)]:
        if key not in b:
            changed[key] = {"from": a[key]}
        elif key not in a:
            changed[key] = {"to": b[key]}
        elif a[key] != b[key]:
            changed[key] = {"from": a[key], "to": b[key]}
    return changed


def _apply_fields(target: dict[str, Any], fields: dict[str, dict[str, Any]]) -> None:
    for key, change in fields.items():
        if "to" in change:
            target[key] = copy.deepcopy(change["to"])
        else:
            target.pop(key, None)


def _diff_items(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> dict[str, Any]:
    by_id_a = {item["id"]: item for item in a}
    by_id_b = {item["id"]: item for item in b}
    result: dict[str, Any] = {
        "added": {k: v for k, v in by_id_b.items() if k not in by_id_a},
        "removed": {k: v for k, v in by_id_a.items() if k not in by_id_b},
        "changed": {
            k: fields
            for k, v in by_id_b.items()
            if k in by_id_a and (fields := _diff_fields(by_id_a[k], v))
        },
    }
    # Items keep their order and new ones come last; say the order only when that is not so.
    natural = [k for k in by_id_a if k in by_id_b] + list(result["added"])
    if natural != list(by_id_b):
        result["order"] = list(by_id_b)
    return result


def _apply_items(items: list[dict[str, Any]], change: dict[str, Any]) -> list[dict[str, Any]]:
    by_id = {item["id"]: item for item in items}
    for key in change.get("removed", {}):
        by_id.pop(key, None)
    for key, fields in change.get("changed", {}).items():
        _apply_fields(by_id[key], fields)
    for key, item in change.get("added", {}).items():
        by_id[key] = copy.deepcopy(item)
    order = change.get("order") or list(by_id)
    return [by_id[key] for key in order]
