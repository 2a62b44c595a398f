"""Delivers the outbox's messages over SMTP (aiosmtplib), to STEADY_SMTP_URL.

Each due message is claimed first (service.outbox.store: only one sender, in any process, gets
it), sent, and marked sent in its row at once; a refusal or an unreachable server records the
attempt and puts the next one later, doubling from BACKOFF up to MAX_BACKOFF, for as long as it
takes: an outage delays messages and loses none. Each email carries a Message-ID made from its
key, so that if a process dies between the server's acceptance and the mark (the one moment
a message can go twice), a mail client shows the second copy as the same message.
Without STEADY_SMTP_URL nothing is sent: messages wait."""

import asyncio
import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

from service.outbox.store import Claimed, Outbox

log = logging.getLogger(__name__)
BACKOFF = 30.0  # seconds before the second attempt
MAX_BACKOFF = 3600.0
LEASE = 120.0  # seconds a claim holds a message: longer than one delivery's timeout
SMTP_TIMEOUT = 30.0
PAGE = 50  # messages read from the outbox at a time


@dataclass(frozen=True)
class SmtpServer:
    hostname: str
    port: int
    username: str | None
    password: str | None
    use_tls: bool  # smtps: TLS from the start

    @classmethod
    def from_url(cls, url: str) -> "SmtpServer":
        parts = urlsplit(url)
        use_tls = parts.scheme == "smtps"
        return cls(
            hostname=parts.hostname or "localhost",
            port=parts.port or (465 if use_tls else 587),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
            use_tls=use_tls,
        )


@dataclass(frozen=True)
class Delivery:
    """What one send did, for `steady reminders run` to print (no recipient or body)."""

    key: str
    outcome: str  # "sent" or "failed"
    error: str = ""
    unreachable: bool = False  # the server could not be reached (not this message's fault)


def retry_delay(attempts: int, base: float = BACKOFF) -> float:
    """Seconds before the next attempt after `attempts` failed ones."""
    return min(base * 2 ** max(attempts - 1, 0), MAX_BACKOFF)


def message_id(key: str, domain: str) -> str:
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


class Sender:
    def __init__(
        self,
        outbox: Outbox,
        smtp_url: str,
        *,
        mail_from: str,
        backoff: float = BACKOFF,
        timeout: float = SMTP_TIMEOUT,
        lease: float = LEASE,
    ) -> None:
        self.outbox = outbox
        self.server = SmtpServer.from_url(smtp_url) if smtp_url else None
        self.mail_from = mail_from
        self.backoff = backoff
        self.timeout = timeout
        self.lease = lease
        self.claim = secrets.token_hex(8)  # this sender's mark on the rows it holds

    @property
    def configured(self) -> bool:
        return self.server is not None

    def email(self, claimed: Claimed) -> EmailMessage:
        message = claimed.message
        email = EmailMessage()
        email["From"] = self.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        domain = self.mail_from.rpartition("@")[2] or "steady.invalid"
        email["Message-ID"] = message_id(message.key, domain)
        email.set_content(message.body)
        return email

    async def send_due(self, at: datetime) -> list[Delivery]:
        """Sends every message due at `at` that no other sender holds. The store is used in
        worker threads, never on the event loop."""
        if self.server is None:
            return []
        deliveries: list[Delivery] = []
        tried: set[str] = set()
        while True:  # page by page: a morning's digests may be thousands
            keys = [k for k in await asyncio.to_thread(self.outbox.due, at, PAGE) if k not in tried]
            if not keys:
                return deliveries
            tried.update(keys)
            try:
                deliveries += await self._send_each(keys, at)
            except _Unreachable as stopped:
                return deliveries + stopped.deliveries

    async def _send_each(self, keys: list[str], at: datetime) -> list[Delivery]:
        deliveries: list[Delivery] = []
        for key in keys:
            try:
                claimed = await asyncio.to_thread(
                    self.outbox.claim, key, self.claim, lease=self.lease
                )
            except ValueError:  # sealed with another key, or for another row: never sent
                log.error("outbox message %s does not open with this store's key", key)
                continue
            if claimed is None:
                continue  # another sender has it, or sent it meanwhile
            delivery = await self._deliver(claimed, at)
            deliveries.append(delivery)
            if delivery.unreachable:
                # The server is down: the rest wait for the next round, unclaimed, rather than
                # each waiting out a connection timeout now.
                raise _Unreachable(deliveries)
        return deliveries

    async def _deliver(self, claimed: Claimed, at: datetime) -> Delivery:
        server = self.server
        assert server is not None
        try:
            await aiosmtplib.send(
                self.email(claimed),
                hostname=server.hostname,
                port=server.port,
                username=server.username,
                password=server.password,
                use_tls=server.use_tls,
                timeout=self.timeout,
            )
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            reason = str(error).strip() or type(error).__name__
            delay = retry_delay(claimed.attempts + 1, self.backoff)
            retry_at = at + timedelta(seconds=delay)
            await asyncio.to_thread(self.outbox.failed, claimed, at, reason, retry_at)
            log.warning(
                "could not send %s (attempt %d): %s; trying again in %.0f s",
                claimed.message.key,
                claimed.attempts + 1,
                type(error).__name__,
                delay,
            )
            unreachable = isinstance(error, ConnectionError | TimeoutError) or (
                isinstance(error, OSError) and not isinstance(error, aiosmtplib.SMTPException)
            )
            return Delivery(claimed.message.key, "failed", reason, unreachable=unreachable)
        await asyncio.to_thread(self.outbox.sent, claimed, at)
        return Delivery(claimed.message.key, "sent")


class _Unreachable(Exception):
    """Ends a round when the mail server cannot be reached, with what the round did."""

    def __init__(self, deliveries: list[Delivery]) -> None:
        super().__init__("the mail server cannot be reached")
        self.deliveries = deliveries
