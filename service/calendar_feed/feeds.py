"""Private calendar feeds: made and revoked by their owner, and found from their address.

The address is `/calendar/<secret>.ics`; the secret (32 random bytes, URL-safe) is shown once,
on the page that made it, and only its SHA-256 digest is stored (domain.calendar_feed). Every
request asks the store, so a revoked feed's address answers 404 at once in every process."""

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.account import Account
from domain.calendar_feed import CalendarFeed, CalendarFeedLookup
from domain.errors import NotFound
from domain.people import Actor
from service.accounts.service import Accounts
from service.outbox.digest import DigestSource
from service.store.retrying import retry_on_conflict

SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}$")
FEED_PATH = "/calendar/{secret}.ics"


def feed_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class MadeFeed:
    path: str  # shown once: /calendar/<secret>.ics
    made_at: datetime


class CalendarFeeds:
    """The people's calendar feeds, and the sources of what a feed holds (My work's tasks
    with a due time; the composition root may append more, as for the digest)."""

    def __init__(self, accounts: Accounts, sources: list[DigestSource]) -> None:
        self.accounts = accounts
        self.steady = accounts.steady
        self.sources = sources

    def _feed_id(self, account: Account) -> UUID:
        return self.steady.private_id("calendar-feed", account.username)

    def current(self, username: str) -> CalendarFeed | None:
        """The person's feed record, or None if they never made one."""
        account = self.accounts.account(username)
        try:
            return self.steady.repository.get(self._feed_id(account))
        except AggregateNotFoundError:  # never made
            return None

    def make(self, username: str, *, actor: Actor) -> MadeFeed:
        """A new feed address for the person; the one before stops working."""
        account = self.accounts.account(username)
        secret = secrets.token_urlsafe(32)
        digest = feed_digest(secret)

        def attempt() -> MadeFeed:
            now = self.steady.clock()
            feed = self.current(account.username) or CalendarFeed.start(
                self._feed_id(account), account.id, actor=actor, at=now
            )
            feed.make(digest, actor=actor, at=now)
            lookup = CalendarFeedLookup.register(digest, feed.id, at=now)
            self.steady.save(feed, lookup)
            return MadeFeed(FEED_PATH.format(secret=secret), now)

        return retry_on_conflict(
            attempt, too_busy="your calendar feed is changing too fast; try again"
        )

    def revoke(self, username: str, *, actor: Actor) -> None:
        account = self.accounts.account(username)

        def attempt() -> bool:  # None would mean another writer won
            feed = self.current(account.username)
            if feed is None:
                raise NotFound("you have no calendar feed to revoke; make one first")
            feed.revoke(actor=actor, at=self.steady.clock())
            self.steady.save(feed)
            return True

        retry_on_conflict(attempt, too_busy="your calendar feed is changing too fast; try again")

    def account_for(self, secret: str) -> Account | None:
        """The enabled account whose current feed this secret opens, or None."""
        if not SECRET_PATTERN.match(secret):
            return None
        digest = feed_digest(secret)
        try:
            lookup = self.steady.repository.get(CalendarFeedLookup.id_for(digest))
            feed = self.steady.repository.get(lookup.feed_id)
        except AggregateNotFoundError:  # no such feed
            return None
        if not secrets.compare_digest(feed.digest, digest):
            return None  # revoked, or replaced by a newer feed
        account = self.accounts.by_id(feed.account_id)
        if account is None or account.disabled:
            return None
        return account
