"""The outbox: messages waiting to be delivered, and the record of each attempt, kept in the
store's own database (tables in service.outbox.tables).

A message goes in under a unique key, with the log position its follower reached, in one
transaction (`add`): deriving it again after a crash or in another process adds nothing. A
sender takes a message by claiming it (a lease on its row: of several senders only one gets
it), and marks it sent in that same row once the mail server has accepted it; a failure puts
the next attempt later. Every attempt is recorded with its time, outcome and error.

Recipients, subjects, bodies and errors are sealed with the cipher of the store's events
(STEADY_CIPHER_KEY): cipher.encrypt(key + NUL + JSON), so a blob moved to another row does not
open there. Keys hold only ids and dates."""

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import msgspec
from eventsourcing.persistence import ApplicationRecorder, Cipher

from service.outbox.tables import NoOutbox, dialect_of

log = logging.getLogger(__name__)
_encode = msgspec.json.Encoder().encode
_decode = msgspec.json.Decoder().decode


@dataclass(frozen=True)
class Message:
    """One email to one person. `key` is unique and says nothing personal (ids and a date)."""

    key: str
    kind: str  # "urgent_task" or "digest"
    to: str
    subject: str
    body: str
    # After this it is not sent (a digest is news of its own morning only); None: never.
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Claimed:
    message: Message
    attempts: int  # attempts made before this one
    claim: str


@dataclass(frozen=True)
class Listed:
    """A message as `steady reminders show` lists it: no recipient, subject or body."""

    key: str
    kind: str
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None  # None: due at once (no attempt has failed)
    sent_at: datetime | None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Attempt:
    key: str
    number: int
    at: datetime
    outcome: str  # "sent" or "failed"


def _seconds(moment: datetime) -> float:
    return moment.timestamp()


def _moment(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class Outbox:
    """The outbox of one store."""

    def __init__(self, recorder: ApplicationRecorder, cipher: Cipher | None) -> None:
        if cipher is None:  # recipients and bodies would lie on disk in clear
            raise NoOutbox("a store without a cipher key keeps no outbox")
        self._cipher = cipher
        self._sql = dialect_of(recorder)
        self._sql.create_tables()

    # -- sealing ------------------------------------------------------------------------------

    def _seal(self, key: str, value: Any) -> bytes:
        return self._cipher.encrypt(key.encode() + b"\0" + _encode(value))

    def _open(self, key: str, sealed: Any) -> Any:
        opened = self._cipher.decrypt(bytes(sealed))
        bound = key.encode() + b"\0"
        if not opened.startswith(bound):
            raise ValueError(f"outbox row {key} holds a blob sealed for another row")
        return _decode(opened[len(bound) :])

    # -- deriving -----------------------------------------------------------------------------

    def tracked(self, name: str) -> int:
        """The log position the follower `name` has derived messages up to."""
        with self._sql.reading() as curs:
            row = self._sql.fetch_one(curs, "tracked", (name,))
        return int(row[0]) if row else 0

    def add(
        self,
        messages: Sequence[Message],
        *,
        at: datetime,
        tracking: tuple[str, int] | None = None,
    ) -> int:
        """Adds the messages not there yet (by key) and, in the same transaction, the position
        their follower reached. Returns how many were new."""
        added = 0
        with self._sql.writing() as curs:
            for message in messages:
                sealed = self._seal(
                    message.key,
                    {"to": message.to, "subject": message.subject, "body": message.body},
                )
                # Due at once, whatever moment a sender asks about (`steady reminders run
                # --at` a moment before it was derived, say): only a failure puts it later.
                expires = _seconds(message.expires_at) if message.expires_at else 0.0
                params = (message.key, message.kind, _seconds(at), sealed, 0.0, expires)
                self._sql.execute(curs, "add", params)
                added += self._sql.rowcount(curs)
            if tracking is not None:
                self._sql.execute(curs, "track", tracking)
        return added

    # -- sending ------------------------------------------------------------------------------

    def due(self, at: datetime, limit: int = 50) -> list[str]:
        """Keys of unsent messages whose next attempt is due and that no sender holds."""
        now = _seconds(at)
        with self._sql.reading() as curs:
            rows = self._sql.fetch_all(curs, "due", (now, now, time.time(), limit))
        return [str(row[0]) for row in rows]

    def claim(self, key: str, claim: str, *, lease: float) -> Claimed | None:
        """Holds the message for this sender for `lease` seconds (real time), or None if it
        was sent or another sender holds it."""
        now = time.time()
        with self._sql.writing() as curs:
            self._sql.execute(curs, "claim", (now + lease, claim, key, now))
            if self._sql.rowcount(curs) != 1:
                return None
            row = self._sql.fetch_one(curs, "claimed", (key, claim))
        if row is None:
            return None
        sealed, attempts = row
        value = self._open(key, sealed)
        kind = key.split("/", 1)[0]
        message = Message(key, kind, value["to"], value["subject"], value["body"])
        return Claimed(message, int(attempts), claim)

    def sent(self, claimed: Claimed, at: datetime) -> None:
        """Marks the message sent, in its row, and records the attempt."""
        key, number = claimed.message.key, claimed.attempts + 1
        with self._sql.writing() as curs:
            self._sql.execute(curs, "sent", (_seconds(at), key, claimed.claim))
            self._sql.execute(
                curs, "attempt", (key, number, _seconds(at), "sent", self._seal(key, ""))
            )

    def failed(self, claimed: Claimed, at: datetime, error: str, retry_at: datetime) -> None:
        """Records the failed attempt and when the next one is due."""
        key, number = claimed.message.key, claimed.attempts + 1
        with self._sql.writing() as curs:
            self._sql.execute(curs, "failed", (_seconds(retry_at), key, claimed.claim))
            self._sql.execute(
                curs, "attempt", (key, number, _seconds(at), "failed", self._seal(key, error))
            )

    # -- reading ------------------------------------------------------------------------------

    def messages(self, limit: int = 1000) -> list[Listed]:
        with self._sql.reading() as curs:
            rows = self._sql.fetch_all(curs, "list", (limit,))
        return [
            Listed(
                key=str(key),
                kind=str(kind),
                created_at=_moment(created),
                attempts=int(attempts),
                next_attempt_at=_moment(next_at) if next_at else None,
                sent_at=_moment(sent) if sent is not None else None,
                expires_at=_moment(expires) if expires else None,
            )
            for key, kind, created, attempts, next_at, sent, expires in rows
        ]

    def attempts(self) -> list[Attempt]:
        with self._sql.reading() as curs:
            rows = self._sql.fetch_all(curs, "attempts_of", ())
        return [
            Attempt(str(key), int(number), _moment(at), str(outcome))
            for key, number, at, outcome in rows
        ]

    def error_of(self, key: str, number: int) -> str:
        """The error an attempt met (sealed: it may quote an address)."""
        with self._sql.reading() as curs:
            row = self._sql.fetch_one(curs, "error", (key, number))
        return str(self._open(key, row[0])) if row else ""

    def waiting(self, at: datetime) -> int:
        """How many messages are still to be sent as of `at` (not sent, not expired)."""
        with self._sql.reading() as curs:
            row = self._sql.fetch_one(curs, "waiting", (_seconds(at),))
        return int(row[0]) if row else 0
