"""Who viewed an incident: one small aggregate per person, incident, surface and time window.

Views are kept apart from the incident's own stream: that stream is hash-chained, feeds the live
board and is what timelines and exports tell, and seeing an incident changes nothing about it.

One aggregate per view, not one shared stream per incident: any number of people can be recorded
at the same moment without their writes conflicting, and a stream never grows with the number of
viewers. The id derives from (incident, person, surface, window), so a second recording of the
same view in the same window, from any process, is refused by the store's optimistic concurrency
instead of being counted twice.

The id's first eight bytes derive from the incident alone: one incident's views lie in one range
of ids, so listing them reads that range of the store's primary key rather than every view of
every incident. The rest is an HMAC-SHA-256 keyed with a secret derived from the store's key: no
username appears in an id, and a reader of the database without the key cannot compute the id of
"this person in this window" to confirm they looked (ids and topics are stored unencrypted; the
event's fields are encrypted with the rest of the store). Views recorded before the tail was keyed
(a plain SHA-256) lie in the same range and are listed with the rest.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.people import Actor
from domain.recording import ActorEvent

# Where a person can see an incident, in the words the auditor's page uses.
SURFACES: dict[str, str] = {
    "page": "Incident page",
    "api": "API",
    "export": "Export",
    "timeline": "Timeline",
    "replay": "Replay",
    "report": "After-action report",
}
WINDOW = timedelta(minutes=15)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ID_SALT = b"steady/viewing/"


def check_surface(surface: object) -> str:
    if surface not in SURFACES:
        raise DomainError(f"unknown surface {surface!r}: expected one of {', '.join(SURFACES)}")
    return str(surface)


def window_start(at: datetime, window: timedelta = WINDOW) -> datetime:
    """The start of the fixed window (counted in UTC from the epoch) that holds `at`. Windows of
    a whole number of minutes dividing an hour start on the same minutes in every time zone."""
    if at.tzinfo is None:
        raise DomainError("a view's time needs a time zone")
    if window <= timedelta(0):
        raise DomainError("a window must be longer than nothing")
    return EPOCH + ((at - EPOCH) // window) * window


def _incident_prefix(incident_id: UUID) -> bytes:
    head = bytearray(hashlib.sha256(_ID_SALT + incident_id.bytes).digest()[:8])
    head[6] = (head[6] & 0x0F) | 0x80  # UUID version 8: a custom layout (RFC 9562)
    return bytes(head)


class Viewing(Aggregate):
    """A person saw an incident on one surface within one window; first seen at `created_on`."""

    class Recorded(ActorEvent, Aggregate.Created):
        """Says, as every event does, the person and the role they acted in (`actor`)."""

        NAME = "incident_viewed"

        incident_id: UUID
        roles: list[str]  # the account's roles at that moment: what it was allowed to see
        organisation: str
        surface: str
        window_start: datetime
        window_end: datetime

    @staticmethod
    def id_for(
        incident_id: UUID, user: str, surface: str, start: datetime, secret: bytes = b""
    ) -> UUID:
        """Without a secret, the id views had before ids were keyed."""
        key = f"{incident_id}/{user}/{surface}/{start.astimezone(UTC).isoformat()}"
        if secret:
            digest = hmac.new(secret, _ID_SALT + key.encode(), hashlib.sha256).digest()
        else:
            digest = hashlib.sha256(_ID_SALT + key.encode()).digest()
        tail = bytearray(digest[:8])
        tail[0] = (tail[0] & 0x3F) | 0x80  # the RFC 4122 variant
        return UUID(bytes=_incident_prefix(incident_id) + bytes(tail))

    @staticmethod
    def id_range(incident_id: UUID) -> tuple[UUID, UUID]:
        """The lowest and highest id a view of this incident can have."""
        head = _incident_prefix(incident_id)
        return (
            UUID(bytes=head + b"\x80" + b"\x00" * 7),
            UUID(bytes=head + b"\xbf" + b"\xff" * 7),
        )

    @classmethod
    def record(
        cls,
        *,
        incident_id: UUID,
        actor: Actor,
        roles: list[str] | tuple[str, ...],
        organisation: str,
        surface: str,
        at: datetime,
        window: timedelta = WINDOW,
        secret: bytes = b"",
    ) -> "Viewing":
        """`secret` keys the id (from the store's key): the same in every process sharing the
        store, so a second recording of a view in its window collides there too."""
        surface = check_surface(surface)
        start = window_start(at, window)
        return cls._create(
            cls.Recorded,
            id=cls.id_for(incident_id, actor.user, surface, start, secret),
            timestamp=at,
            incident_id=incident_id,
            actor=actor.as_dict(),
            roles=list(roles),
            organisation=organisation,
            surface=surface,
            window_start=start,
            window_end=start + window,
        )

    def __init__(
        self,
        *,
        incident_id: UUID,
        actor: dict[str, Any],
        roles: list[str],
        organisation: str,
        surface: str,
        window_start: datetime,
        window_end: datetime,
    ) -> None:
        self.incident_id = incident_id
        self.by = Actor.from_dict(actor)
        self.roles = list(roles)
        self.organisation = organisation
        self.surface = surface
        self.window_start = window_start
        self.window_end = window_end
