"""Settings from the environment: one URL chooses the store; everything else has a default."""

import ipaddress
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from domain.help_categories import CATEGORIES

DEFAULT_DATABASE_URL = "sqlite:///var/steady.db"
# Every variable Steady reads; the README and compose.yaml are checked against this list.
VARIABLES = (
    "STEADY_DATABASE_URL",
    "STEADY_CIPHER_KEY",
    "STEADY_PLAYBOOKS_DIR",
    "STEADY_TIMEZONE",
    "STEADY_DISTRICT",
    "STEADY_TRUSTED_PROXIES",
    "STEADY_STORE_TIMEOUT",
    "STEADY_SMTP_URL",
    "STEADY_MAIL_FROM",
    "STEADY_DIGEST_TIME",
    "STEADY_PUBLIC_URL",
    "STEADY_HELP_RESOURCES",
    "STEADY_HELP_TARGETS",
    "STEADY_HELP_ON_CALL",
)
DEFAULT_STORE_TIMEOUT = 3.0
DEFAULT_DIGEST_TIME = "07:00"
DEFAULT_PUBLIC_URL = "http://localhost:8000"
DEFAULT_MAIL_FROM = "steady@localhost"


def _cipher_key_from_environment() -> str:
    return os.environ.get("STEADY_CIPHER_KEY", "").strip()


class ConfigError(Exception):
    """A setting is wrong; the message names the variable and what is expected."""


def trusted_proxies(value: str) -> tuple[str, ...]:
    """STEADY_TRUSTED_PROXIES: addresses or networks separated by commas, e.g.
    ``127.0.0.1,10.0.0.0/8``."""
    found = []
    for item in (part.strip() for part in value.split(",")):
        if not item:
            continue
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise ConfigError(
                f"STEADY_TRUSTED_PROXIES: {item!r} is not an address or network; use "
                "addresses such as 127.0.0.1 or networks such as 10.0.0.0/8, separated by commas"
            ) from None
        found.append(item)
    return tuple(found)


def smtp_url(value: str) -> str:
    """STEADY_SMTP_URL: smtp://[user:password@]host[:port] (STARTTLS when the server offers
    it) or smtps://... (TLS from the start); empty: nothing is sent and messages wait."""
    value = value.strip()
    if not value:
        return ""
    parts = urlsplit(value)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(
            "STEADY_SMTP_URL must be smtp://user:password@host:587 or smtps://user:password@"
            "host:465 (or empty: nothing is emailed and messages wait in the outbox)"
        )
    try:
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError:
        raise ConfigError("STEADY_SMTP_URL: the port must be a number, such as 587") from None
    return value


def digest_time(value: str) -> str:
    """STEADY_DIGEST_TIME: HH:MM in STEADY_TIMEZONE, when the school-morning digest goes."""
    value = value.strip() or DEFAULT_DIGEST_TIME
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2) or not (
        0 <= int(hours) <= 23 and 0 <= int(minutes) <= 59
    ):
        raise ConfigError(
            f"STEADY_DIGEST_TIME={value!r} is not a time of day; use HH:MM such as 07:00 "
            "(district time, STEADY_TIMEZONE)"
        )
    return f"{int(hours):02d}:{minutes}"


def public_url(value: str) -> str:
    """STEADY_PUBLIC_URL: where people reach Steady, for the links in emails and feeds."""
    value = value.strip().rstrip("/") or DEFAULT_PUBLIC_URL
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"STEADY_PUBLIC_URL={value!r} is not a web address; use the address people open "
            "Steady at, such as https://steady.riverside.example"
        )
    return value


def store_timeout(value: str) -> float:
    """STEADY_STORE_TIMEOUT: seconds, from 0.5 to 60."""
    if not value.strip():
        return DEFAULT_STORE_TIMEOUT
    try:
        seconds = float(value)
    except ValueError:
        seconds = math.nan
    if not 0.5 <= seconds <= 60:  # also refuses nan and inf
        raise ConfigError(
            f"STEADY_STORE_TIMEOUT={value.strip()!r} is not a number of seconds from 0.5 to 60; "
            f"use e.g. {DEFAULT_STORE_TIMEOUT:g} (the default)"
        )
    return seconds


def help_targets(value: str) -> tuple[tuple[str, int], ...]:
    """STEADY_HELP_TARGETS: "life-safety=5,threat=10": minutes to the desk's first answer."""
    known = ["life-safety", *CATEGORIES]
    found: list[tuple[str, int]] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        key, _, minutes = part.partition("=")
        key = key.strip()
        if key not in known or not minutes.strip().isdigit() or int(minutes) < 1:
            raise ConfigError(
                f"STEADY_HELP_TARGETS has {part!r}: write category=minutes, such as "
                f"life-safety=5,threat=15, with a category among {', '.join(known)} and a "
                "whole number of minutes from 1"
            )
        found.append((key, int(minutes)))
    return tuple(found)


def help_on_call(value: str) -> tuple[str, ...]:
    """STEADY_HELP_ON_CALL: "m.alvarez,d.nguyen": usernames, in the order they are called."""
    names = tuple(n.strip().lower() for n in value.split(",") if n.strip())
    for name in names:
        if not name.replace(".", "").replace("-", "").replace("_", "").isalnum():
            raise ConfigError(
                f"STEADY_HELP_ON_CALL has {name!r}, which is not a username: list usernames "
                "separated by commas, such as m.alvarez,d.nguyen"
            )
    return names


def reunification_update_minutes(value: str) -> int:
    """STEADY_REUNIFICATION_UPDATE_MINUTES: minutes between families' updates (1 to 1440)."""
    value = value.strip()
    if not value:
        return 30
    if not value.isdigit() or not 1 <= int(value) <= 1440:
        raise ConfigError(
            f"STEADY_REUNIFICATION_UPDATE_MINUTES={value!r} is not a number of minutes from 1 to "
            "1440; use a whole number such as 30"
        )
    return int(value)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    playbooks_dir: Path | None = None
    timezone: str = "America/Chicago"
    district: str = "Riverside Unified School District"
    cipher_key: str = field(default_factory=_cipher_key_from_environment, repr=False)
    # Addresses (or networks) of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto
    # are believed. None by default: a client could otherwise name any address it likes (and
    # so dodge, or aim, the sign-in throttle).
    trusted_proxies: tuple[str, ...] = ()
    # How long a request waits for PostgreSQL before answering 503 (service/store/outage.py).
    store_timeout: float = DEFAULT_STORE_TIMEOUT
    # The outbox (service/outbox): where mail goes out ("" : nowhere, it waits), whom it is
    # from, when the school-morning digest goes (district time), and the address in links.
    smtp_url: str = field(default="", repr=False)  # may hold a password
    mail_from: str = DEFAULT_MAIL_FROM
    digest_time: str = DEFAULT_DIGEST_TIME
    public_url: str = DEFAULT_PUBLIC_URL
    # The district's help resources file (service/help_requests/resources.py): its schools and
    # community resources, and crisis lines of its own; None: the shipped crisis lines only.
    help_resources: Path | None = None
    # Minutes to the desk's first answer, per category where the district sets its own (and
    # "life-safety" for someone in danger); the rest keep domain/help_categories.py's.
    help_targets: tuple[tuple[str, int], ...] = ()
    # Whom a life-safety request no one acknowledges is escalated to, in turn (usernames).
    help_on_call: tuple[str, ...] = ()
    # Minutes between the families' updates while reunification is under way.
    reunification_update_minutes: int = 30

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        playbooks = env.get("STEADY_PLAYBOOKS_DIR", "").strip()
        resources = env.get("STEADY_HELP_RESOURCES", "").strip()
        settings = cls(
            database_url=env.get("STEADY_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
            playbooks_dir=Path(playbooks) if playbooks else None,
            timezone=env.get("STEADY_TIMEZONE", "").strip() or cls.timezone,
            district=env.get("STEADY_DISTRICT", "").strip() or cls.district,
            cipher_key=env.get("STEADY_CIPHER_KEY", "").strip(),
            trusted_proxies=trusted_proxies(env.get("STEADY_TRUSTED_PROXIES", "")),
            store_timeout=store_timeout(env.get("STEADY_STORE_TIMEOUT", "")),
            smtp_url=smtp_url(env.get("STEADY_SMTP_URL", "")),
            mail_from=env.get("STEADY_MAIL_FROM", "").strip() or DEFAULT_MAIL_FROM,
            digest_time=digest_time(env.get("STEADY_DIGEST_TIME", "")),
            public_url=public_url(env.get("STEADY_PUBLIC_URL", "")),
            help_resources=Path(resources) if resources else None,
            help_targets=help_targets(env.get("STEADY_HELP_TARGETS", "")),
            help_on_call=help_on_call(env.get("STEADY_HELP_ON_CALL", "")),
            reunification_update_minutes=reunification_update_minutes(
                env.get("STEADY_REUNIFICATION_UPDATE_MINUTES", "")
            ),
        )
        settings.zone()  # fail at start-up, not at the first timestamp shown
        settings.eventsourcing_env()
        return settings

    def forwarded_allow_ips(self) -> str | None:
        """uvicorn's forwarded_allow_ips, or None when no proxy is trusted."""
        return ",".join(self.trusted_proxies) or None

    def zone(self) -> ZoneInfo:
        try:
            return ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"STEADY_TIMEZONE={self.timezone!r} is not a time zone; "
                "use an IANA name such as America/Chicago"
            ) from None

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    def redacted_url(self) -> str:
        """The database URL without its password, safe for messages and logs."""
        parts = urlsplit(self.database_url)
        if parts.password is None:
            return self.database_url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))

    def eventsourcing_env(self) -> dict[str, str]:
        """Maps STEADY_DATABASE_URL onto the eventsourcing library's variables."""
        url = self.database_url
        if url.startswith("sqlite:///"):
            path = url.removeprefix("sqlite:///")
            if not path:
                raise ConfigError(
                    "STEADY_DATABASE_URL=sqlite:/// needs a file, e.g. sqlite:///var/steady.db"
                )
            return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": path}
        if self.is_postgres:
            parts = urlsplit(url)
            dbname = parts.path.lstrip("/")
            if not parts.hostname or not dbname:
                raise ConfigError(
                    f"STEADY_DATABASE_URL={self.redacted_url()} needs a host and a database, "
                    "e.g. postgresql://steady:secret@localhost:5432/steady"
                )
            return {
                "POSTGRES_DBNAME": unquote(dbname),
                "POSTGRES_HOST": parts.hostname,
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                # Every wait on the store ends by this bound (service/store/pg_datastore.py).
                "PERSISTENCE_MODULE": "service.store.pg_datastore:SteadyPostgresFactory",
                "STEADY_STORE_TIMEOUT": f"{self.store_timeout:g}",
                "POSTGRES_CONNECT_TIMEOUT": str(math.ceil(self.store_timeout)),
                # A lock wait (each save takes the table's lock) leaves time to try again.
                "POSTGRES_LOCK_TIMEOUT": str(max(1, math.floor(self.store_timeout / 2))),
                "POSTGRES_IDLE_IN_TRANSACTION_SESSION_TIMEOUT": "5",
                "POSTGRES_POOL_SIZE": "10",
                "POSTGRES_MAX_OVERFLOW": "20",
                # Concurrent saves share one transaction and one durable commit.
                "APPLICATION_RECORDER_TOPIC": "service.store.group_commit:GroupCommitRecorder",
            }
        raise ConfigError(
            f"STEADY_DATABASE_URL={self.redacted_url()!r} is not supported: use "
            "sqlite:///path/to/file.db or postgresql://user:password@host:5432/database"
        )

    def sqlite_path(self) -> Path | None:
        if self.is_postgres:
            return None
        return Path(self.eventsourcing_env()["SQLITE_DBNAME"])
