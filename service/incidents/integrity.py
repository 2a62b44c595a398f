"""Checking that incident streams are intact: every hash recomputed, every link followed."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from domain.chain import GENESIS
from domain.incident import Incident
from service.incidents.application import Steady
from service.live.feed_events import INCIDENT_TOPICS
from service.store.streams import select_stream

MODIFIED = "modified"
MISSING = "missing"
OUT_OF_ORDER = "out of order"


@dataclass(frozen=True)
class StreamCheck:
    incident_id: UUID
    reference: str
    events: int
    chain_head: str
    break_kind: str | None = None  # None when intact
    position: int | None = None  # the first position where the chain breaks
    version: int | None = None
    detail: str = ""

    @property
    def intact(self) -> bool:
        return self.break_kind is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": {"id": str(self.incident_id), "reference": self.reference},
            "intact": self.intact,
            "events": self.events,
            "chain_head": self.chain_head,
            "break": None
            if self.intact
            else {
                "kind": self.break_kind,
                "position": self.position,
                "version": self.version,
                "detail": self.detail,
            },
        }

    def __str__(self) -> str:
        if self.intact:
            return f"{self.reference}: intact ({self.events} events, head {self.chain_head[:12]})"
        return f"{self.reference}: BROKEN at position {self.position}: {self.detail}"


def verify_incident(steady: Steady, incident_id: UUID) -> StreamCheck:
    return verify_stream(steady, incident_id, select_stream(steady.recorder, incident_id))


def verify_stream(
    steady: Steady, incident_id: UUID, notifications: Sequence[Notification]
) -> StreamCheck:
    reference = str(incident_id)
    head = GENESIS
    seen_hashes: dict[str, int] = {}
    decoded: list[tuple[int, int, Incident.Event]] = []
    for notification in notifications:
        try:
            event = steady.mapper.to_domain_event(notification)
        except Exception as error:  # altered bytes may not even decode: that is a modification
            return StreamCheck(
                incident_id,
                reference,
                len(decoded),
                head,
                MODIFIED,
                notification.id,
                notification.originator_version,
                f"version {notification.originator_version} cannot be read "
                f"({type(error).__name__})",
            )
        decoded.append((notification.id, notification.originator_version, event))
        seen_hashes[event.event_hash] = notification.id
    if decoded and isinstance(decoded[0][2], Incident.Opened):
        reference = decoded[0][2].reference
    head, found = _first_break(decoded, seen_hashes)
    if found is None:
        return StreamCheck(incident_id, reference, len(decoded), head)
    kind, position, version, detail = found
    return StreamCheck(incident_id, reference, len(decoded), head, kind, position, version, detail)


def _first_break(
    decoded: list[tuple[int, int, Incident.Event]], seen_hashes: dict[str, int]
) -> tuple[str, tuple[str, int, int, str] | None]:
    """The last intact hash, and the first break as (kind, position, version, detail)."""
    head = GENESIS
    last_position = 0
    for expected, (position, version, event) in enumerate(decoded, start=1):
        if version != expected:
            gap = f"{expected} to {version - 1} are" if version - 1 > expected else f"{expected} is"
            return head, (MISSING, position, version, f"version {gap} missing before {version}")
        if event.computed_hash() != event.event_hash:
            detail = f"version {version} ({event.NAME}) was changed after it was recorded"
            return head, (MODIFIED, position, version, detail)
        if event.previous_hash != head:
            if event.previous_hash in seen_hashes:
                detail = (
                    f"version {version} ({event.NAME}) belongs right after the event now at "
                    f"position {seen_hashes[event.previous_hash]}"
                )
                return head, (OUT_OF_ORDER, position, version, detail)
            detail = f"the event recorded before version {version} ({event.NAME}) is missing"
            return head, (MISSING, position, version, detail)
        if position <= last_position:
            detail = f"version {version} sits at position {position}, before {last_position}"
            return head, (OUT_OF_ORDER, position, version, detail)
        head, last_position = event.event_hash, position
    return head, None


def verify_all(steady: Steady) -> list[StreamCheck]:
    """Every incident with any event in the log (even one whose opening event was deleted),
    in the order they first appear."""
    streams: dict[UUID, list[Notification]] = {}
    position = 0
    while True:
        section = steady.recorder.select_notifications(
            position, 1000, topics=INCIDENT_TOPICS, inclusive_of_start=False
        )
        for notification in section:
            streams.setdefault(notification.originator_id, []).append(notification)
        if len(section) < 1000:
            break
        position = section[-1].id
    return [
        verify_stream(steady, incident_id, sorted(rows, key=lambda n: n.originator_version))
        for incident_id, rows in streams.items()
    ]
