"""An incident's complete event stream as one JSON document, and the check that a document is
complete and unaltered (every hash recomputed from what the document itself says)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.chain import GENESIS, event_hash
from service.incidents.application import Steady
from service.live.feed_events import plain

FORMAT = "steady-incident-export/1"


def export_incident(steady: Steady, ref: str, *, exported_at: datetime) -> dict[str, Any]:
    events = steady.incident_events(ref)
    head = events[-1].event.event_hash if events else GENESIS
    return {
        "format": FORMAT,
        "incident": {"id": str(events[0].incident_id), "reference": events[0].reference},
        "exported_at": exported_at.isoformat(),
        "event_count": len(events),
        "chain_head": head,
        "events": [
            {
                "position": e.position,
                "version": e.version,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "type": e.type,
                "data": plain(e.data),
                "previous_hash": e.event.previous_hash,
                "event_hash": e.event.event_hash,
            }
            for e in events
        ],
    }


@dataclass(frozen=True)
class ExportCheck:
    problems: list[str]
    events: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check_export(document: object) -> ExportCheck:
    """Complete: versions 1..N, N as declared, the chain ends at the declared head.
    Unaltered: each event's hash is recomputed from its own content and the one before."""
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return ExportCheck([f"not a Steady incident export (expected format {FORMAT!r})"], 0)
    try:
        incident_id = document["incident"]["id"]
        events = document["events"]
        declared, head_declared = document["event_count"], document["chain_head"]
    except (KeyError, TypeError) as missing:
        return ExportCheck([f"the document has no {missing} field"], 0)
    problems: list[str] = []
    head = GENESIS
    for number, event in enumerate(events, start=1):
        try:
            where = f"event {number} (version {event['version']}, position {event['position']})"
            if event["version"] != number:
                problems.append(
                    f"{where}: expected version {number}; events are missing or reordered"
                )
            computed = event_hash(
                event["previous_hash"],
                incident_id=incident_id,
                event_type=event["type"],
                at=event["at"],
                actor=event["actor"],
                data=event["data"],
            )
        except (KeyError, TypeError) as missing:
            problems.append(f"event {number}: no {missing} field")
            continue
        if computed != event["event_hash"]:
            problems.append(f"{where}: its content was altered (hash does not match)")
        if event["previous_hash"] != head:
            problems.append(f"{where}: does not follow the event before it")
        head = event["event_hash"]
    if declared != len(events):
        problems.append(f"the export declares {declared} events but holds {len(events)}")
    if head != head_declared:
        problems.append("the last event is not the declared chain head: events were removed")
    return ExportCheck(problems, len(events))
