"""Tamper evidence: each event's hash covers its own content and the hash before it in the
same incident, so a changed, missing or reordered event breaks the chain where it happened."""

import hashlib
import json
from datetime import datetime
from typing import Any
from uuid import UUID

GENESIS = ""  # what the first event of a stream chains onto


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    raise TypeError(f"cannot hash a {type(value).__name__}")


def event_hash(
    previous_hash: str,
    *,
    incident_id: UUID | str,
    event_type: str,
    at: datetime | str,
    actor: dict[str, str],
    data: dict[str, Any],
) -> str:
    """Covers what the event says and where it sits, but not its version number or global
    position: those are given by the store, and a reordering shows as a broken link instead."""
    content = json.dumps(
        {
            "incident": str(incident_id),
            "type": event_type,
            "at": at.isoformat() if isinstance(at, datetime) else at,
            "actor": actor,
            "data": data,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=_plain,
    )
    return hashlib.sha256(f"{previous_hash}\n{content}".encode()).hexdigest()
