"""Receipts for commands that clients retry: the same key never appends twice."""

import hashlib
import json
from dataclasses import field
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate
from eventsourcing.utils import register_topic

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE

MAX_KEY_LENGTH = 200


class KeyReused(DomainError):
    """An idempotency key was sent again with a different request."""


def check_key(key: str) -> str:
    if not key.strip() or len(key) > MAX_KEY_LENGTH:
        raise DomainError(f"an idempotency key must be 1 to {MAX_KEY_LENGTH} characters")
    return key


def fingerprint(command: str, arguments: dict[str, Any]) -> str:
    canonical = json.dumps({"command": command, **arguments}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class Receipt(Aggregate, created_event_name="Recorded"):
    """Saved in the same transaction as the command's events, so a receipt exists exactly
    when the command took effect.

    Its fields are those of its stored event, `Receipt.Recorded`, which eventsourcing defines
    from them (topic `service.incidents.idempotency:Receipt.Recorded`): a contract, so none is
    ever renamed or removed."""

    command: str
    fingerprint: str
    incident_id: UUID  # the incident's, and its version after the command
    reference: str
    # field(): else the dataclass takes the inherited Aggregate.version for a default. Setting
    # it sets the receipt's own version too, as the hand-written __init__ did before.
    version: int = field()
    detail: dict[str, Any]

    @staticmethod
    def id_for(key: str) -> UUID:
        """The id receipts were stored under before keys were scoped per account; the
        application now gives each receipt an id from the account and the key, derived with
        the store's key (Steady.private_id), and reads these old ones only for their own
        account's retries."""
        return uuid5(STEADY_NAMESPACE, f"idempotency/{key}")

    @classmethod
    def record(cls, key: str, *, receipt_id: UUID | None = None, **fields: Any) -> "Receipt":
        """A new receipt with the fields above (each by name: a missing or unknown one is a
        TypeError that names it), under `receipt_id`, or the id of the key alone."""
        return cls._create(cls.Recorded, id=receipt_id or cls.id_for(key), **fields)

    def check_same_request(self, key: str, command: str, fingerprint: str) -> None:
        if fingerprint != self.fingerprint:
            raise KeyReused(
                f"idempotency key {key!r} was already used for a different request "
                f"({self.command} on {self.reference}); send a new key for a new request"
            )


# Receipts stored before the layout by capability name the module they were in then
# (service/idempotency.py): their topic must still resolve, for ever.
register_topic("service.idempotency:Receipt", Receipt)
