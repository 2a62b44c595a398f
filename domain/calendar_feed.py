"""A person's private calendar feed: an address with a secret in it (`/calendar/<secret>.ics`)
that a calendar application reads their due work from, without signing in.

Like an API token, the secret is shown once and only its SHA-256 digest is stored. Two
aggregates: the person's feed (one per account, its id derived by the service from the username
with the store's key), which says which feed is current; and a lookup per feed, whose id derives
from the secret's digest, so that the feed's address finds its account without a list of
secrets to compare. Making a new feed revokes the one before; revoking makes the old address
find nothing at once (every reader asks the store)."""

import re
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.recording import ActorEvent, RecordsWhoActed

DIGEST_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def _check_digest(digest: str) -> str:
    if not isinstance(digest, str) or not DIGEST_PATTERN.match(digest):
        raise DomainError("a calendar feed's secret is stored only as its SHA-256 digest")
    return digest


class CalendarFeed(RecordsWhoActed, Aggregate):
    """Which calendar feed of one person is current (none after a revocation)."""

    class Event(ActorEvent):
        NAME = "calendar_feed_event"

    class Started(Event, Aggregate.Created):
        NAME = "calendar_feed_started"

        account_id: UUID

    class Made(Event):
        NAME = "calendar_feed_made"

        digest: str  # the SHA-256 of the feed's secret

        def apply(self, feed: "CalendarFeed") -> None:
            feed.digest = self.digest
            feed.made_at = self.timestamp

    class Revoked(Event):
        NAME = "calendar_feed_revoked"

        digest: str

        def apply(self, feed: "CalendarFeed") -> None:
            feed.digest = ""
            feed.made_at = None

    @classmethod
    def start(
        cls, feed_id: UUID, account_id: UUID, *, actor: Actor, at: datetime
    ) -> "CalendarFeed":
        return cls._create(
            cls.Started, id=feed_id, timestamp=at, actor=actor.as_dict(), account_id=account_id
        )

    def __init__(self, account_id: UUID, actor: dict[str, Any]) -> None:
        self.account_id = account_id
        self.digest = ""
        self.made_at: datetime | None = None

    @property
    def current(self) -> bool:
        return bool(self.digest)

    def make(self, digest: str, *, actor: Actor, at: datetime) -> None:
        """A new feed; the one before (if any) stops working."""
        self._record(self.Made, actor, at, digest=_check_digest(digest))

    def revoke(self, *, actor: Actor, at: datetime) -> None:
        if not self.digest:
            raise DomainError("you have no calendar feed to revoke; make one first")
        self._record(self.Revoked, actor, at, digest=self.digest)


class CalendarFeedLookup(Aggregate):
    """Finds the person's feed from a feed address: its id derives from the secret's digest,
    which says nothing of its owner and cannot be turned back into the secret."""

    class Registered(Aggregate.Created):
        feed_id: UUID

    @staticmethod
    def id_for(digest: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"calendar-feed/{_check_digest(digest)}")

    @classmethod
    def register(cls, digest: str, feed_id: UUID, *, at: datetime) -> "CalendarFeedLookup":
        return cls._create(cls.Registered, id=cls.id_for(digest), timestamp=at, feed_id=feed_id)

    def __init__(self, feed_id: UUID) -> None:
        self.feed_id = feed_id
