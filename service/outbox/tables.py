"""The SQL of the outbox (service.outbox.store), in each database's dialect: three tables beside
the store's events, and the statements that read and write them.

- messages: one row per message, under its unique key (the follower derives the same key from
  the same event or morning, so deriving twice, or in two processes, adds it once). Clear: the
  key (ids, a date), the kind, times (`expires_at`: 0 for never) and counts; sealed: `sealed`
  (recipient, subject, body).
- attempts: one row per delivery attempt: when, the outcome, and the error (sealed: a mail
  server's refusal may quote the address).
- tracking: per follower name, the log position it has derived messages up to.

Times are seconds since the epoch (UTC), as floating point numbers, in both databases."""

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from service.store.pg_reads import binary_tuples

MESSAGES = "steady_outbox_messages"
ATTEMPTS = "steady_outbox_attempts"
TRACKING = "steady_outbox_tracking"

# The statements, written once with {m}, {a}, {t} for the tables and ? for parameters.
_CREATE = [
    "CREATE TABLE IF NOT EXISTS {m} (message_key TEXT PRIMARY KEY, kind TEXT NOT NULL, "
    "created_at {real} NOT NULL, sealed {blob} NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
    "next_attempt_at {real} NOT NULL, claimed_until {real} NOT NULL DEFAULT 0, "
    "claim TEXT NOT NULL DEFAULT '', sent_at {real}, expires_at {real} NOT NULL DEFAULT 0)",
    "CREATE INDEX IF NOT EXISTS {m}_waiting ON {m} (next_attempt_at) WHERE sent_at IS NULL",
    "CREATE TABLE IF NOT EXISTS {a} (message_key TEXT NOT NULL, attempt INTEGER NOT NULL, "
    "at {real} NOT NULL, outcome TEXT NOT NULL, error {blob} NOT NULL, "
    "PRIMARY KEY (message_key, attempt))",
    "CREATE TABLE IF NOT EXISTS {t} (name TEXT PRIMARY KEY, position BIGINT NOT NULL)",
]
_STATEMENTS = {
    "add": "INSERT INTO {m} (message_key, kind, created_at, sealed, next_attempt_at, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_key) DO NOTHING",
    "track": "INSERT INTO {t} VALUES (?, ?) ON CONFLICT (name) DO UPDATE "
    "SET position = excluded.position WHERE {t}.position < excluded.position",
    "tracked": "SELECT position FROM {t} WHERE name = ?",
    # A message past its expiry (a digest after its day) is not sent: it stays, unsent.
    "due": "SELECT message_key FROM {m} WHERE sent_at IS NULL AND next_attempt_at <= ? "
    "AND (expires_at = 0 OR expires_at > ?) AND claimed_until < ? "
    "ORDER BY next_attempt_at, message_key LIMIT ?",
    # A claim holds a message for one sender until the lease ends: of two senders (processes)
    # only the one whose UPDATE finds it unclaimed and unsent gets it.
    "claim": "UPDATE {m} SET claimed_until = ?, claim = ? WHERE message_key = ? "
    "AND sent_at IS NULL AND claimed_until < ?",
    "claimed": "SELECT sealed, attempts FROM {m} WHERE message_key = ? AND claim = ? "
    "AND sent_at IS NULL",
    "sent": "UPDATE {m} SET sent_at = ?, attempts = attempts + 1, claimed_until = 0 "
    "WHERE message_key = ? AND claim = ?",
    "failed": "UPDATE {m} SET attempts = attempts + 1, next_attempt_at = ?, claimed_until = 0 "
    "WHERE message_key = ? AND claim = ?",
    "attempt": "INSERT INTO {a} VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
    "list": "SELECT message_key, kind, created_at, attempts, next_attempt_at, sent_at, "
    "expires_at FROM {m} ORDER BY created_at, message_key LIMIT ?",
    "attempts_of": "SELECT message_key, attempt, at, outcome FROM {a} ORDER BY at, attempt",
    "error": "SELECT error FROM {a} WHERE message_key = ? AND attempt = ?",
    "waiting": "SELECT count(*) FROM {m} WHERE sent_at IS NULL "
    "AND (expires_at = 0 OR expires_at > ?)",
}


class Dialect:
    """The outbox's statements in one database's dialect, and its transactions."""

    datastore: Any
    statements: dict[str, Any]
    create: list[Any]

    def create_tables(self) -> None:
        raise NotImplementedError

    def reading(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def writing(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def rowcount(self, curs: Any) -> int:
        raise NotImplementedError

    def execute(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params)

    def fetch_all(self, curs: Any, name: str, params: tuple) -> list[tuple]:
        self.execute(curs, name, params)
        return list(curs.fetchall())

    def fetch_one(self, curs: Any, name: str, params: tuple) -> tuple | None:
        self.execute(curs, name, params)
        row = curs.fetchone()
        return None if row is None else tuple(row)


class PostgresDialect(Dialect):
    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        schema = recorder.datastore.schema

        def sql(text: str) -> SQL:
            text = text.replace("?", "%s").replace("{real}", "double precision")
            text = text.replace("{blob}", "bytea")
            names = {
                "m": SQL("{}.{}").format(Identifier(schema), Identifier(MESSAGES)),
                "a": SQL("{}.{}").format(Identifier(schema), Identifier(ATTEMPTS)),
                "t": SQL("{}.{}").format(Identifier(schema), Identifier(TRACKING)),
            }
            # An index is named without its schema (it lives in its table's).
            text = text.replace("{m}_waiting", MESSAGES + "_waiting")
            # The conflicting row of an upsert is named by its table alone.
            text = text.replace("WHERE {t}.position", f"WHERE {TRACKING}.position")
            return SQL(text).format(**names)  # type: ignore[arg-type]

        self.create = [sql(text) for text in _CREATE]
        self.statements = {name: sql(text) for name, text in _STATEMENTS.items()}

    def create_tables(self) -> None:
        # Workers starting at once on a new database would race on CREATE TABLE IF NOT EXISTS.
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('steady-schema/outbox'))"))
            for statement in self.create:
                curs.execute(statement)

    def reading(self) -> AbstractContextManager[Any]:
        return binary_tuples(self.datastore)

    def writing(self) -> AbstractContextManager[Any]:
        return _pg_transaction(self.datastore)

    def rowcount(self, curs: Any) -> int:
        return int(curs.rowcount)


@contextmanager
def _pg_transaction(datastore: Any) -> Iterator[Any]:
    with binary_tuples(datastore) as curs, curs.connection.transaction():
        yield curs


class SQLiteDialect(Dialect):
    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        names = {"m": MESSAGES, "a": ATTEMPTS, "t": TRACKING, "real": "REAL", "blob": "BLOB"}

        def sql(text: str) -> str:
            for name, value in names.items():
                text = text.replace("{" + name + "}", value)
            return text

        self.create = [sql(text) for text in _CREATE]
        self.statements = {name: sql(text) for name, text in _STATEMENTS.items()}

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.create:
                curs.execute(statement)

    def reading(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

    def writing(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def rowcount(self, curs: Any) -> int:
        return int(curs.sqlite_cursor.rowcount)


class NoOutbox(Exception):
    """The store keeps no outbox (the in-memory store of unit tests, or one without a key)."""


def dialect_of(recorder: ApplicationRecorder) -> Dialect:
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresDialect(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteDialect(recorder)
    raise NoOutbox(f"{type(recorder).__name__} keeps no outbox")
