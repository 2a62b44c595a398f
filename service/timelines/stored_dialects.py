"""The SQL of the stored timelines (service.timelines.stored), in each database's dialect: the
three tables (entries, outlines, tracking) beside the store's events, and the statements that
read and write them."""

import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from service.store.pg_reads import binary_tuples

log = logging.getLogger(__name__)

ENTRIES = "steady_timeline_entries"
OUTLINES = "steady_timeline_outlines"
TRACKING = "steady_timeline_tracking"


class Dialect:
    """The statements of one kind of database, by name, and how to run them. Per table,
    `by_telling` holds: its first telling, the next one after a telling, deleting one telling."""

    datastore: Any
    statements: dict[str, Any]
    by_telling: dict[str, tuple[Any, Any, Any]]

    def key(self, incident_id: UUID) -> Any:
        raise NotImplementedError

    def create_tables(self) -> None:
        raise NotImplementedError

    def reading(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def writing(self) -> AbstractContextManager[Any]:
        raise NotImplementedError

    def query(self, curs: Any, name: str, params: tuple) -> None:
        raise NotImplementedError

    def execute(self, curs: Any, name: str, params: tuple) -> None:
        raise NotImplementedError

    def rowcount(self, curs: Any) -> int:
        raise NotImplementedError

    def compact(self) -> None:
        """Rewrites the tables' storage, so that deleted rows' bytes are gone from it."""
        raise NotImplementedError

    def fetch_one(self, curs: Any, name: str, params: tuple) -> tuple | None:
        self.query(curs, name, params)
        return curs.fetchone()

    def fetch_all(self, curs: Any, name: str, params: tuple) -> list[tuple]:
        self.query(curs, name, params)
        return curs.fetchall()

    def execute_many(self, curs: Any, name: str, rows: list[tuple]) -> None:
        curs.executemany(self.statements[name], rows)

    def tellings(self, curs: Any, table: str) -> Iterator[str]:
        """The distinct tellings of a table, one index lookup each (the primary key starts with
        the telling), rather than a scan of every row."""
        first, after, _ = self.by_telling[table]
        curs.execute(first)
        row = curs.fetchone()
        while row is not None:
            yield row[0]
            curs.execute(after, (row[0],))
            row = curs.fetchone()

    def delete_telling(self, curs: Any, table: str, telling: str) -> int:
        curs.execute(self.by_telling[table][2], (telling,))
        return self.rowcount(curs)


class PostgresDialect(Dialect):
    """The tables in the PostgreSQL schema of the store's events."""

    def __init__(self, recorder: PostgresApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        schema = Identifier(recorder.datastore.schema)
        names = {"e": Identifier(ENTRIES), "o": Identifier(OUTLINES), "t": Identifier(TRACKING)}

        def sql(text: str) -> SQL:
            return SQL(text).format(schema=schema, **names)  # type: ignore[return-value]

        self.create = [
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{e} (telling text NOT NULL, "
                "incident_id uuid NOT NULL, version integer NOT NULL, entry bytea NOT NULL, "
                "PRIMARY KEY (telling, incident_id, version))"
            ),
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{o} (telling text NOT NULL, "
                "incident_id uuid NOT NULL, version integer NOT NULL, outline bytea NOT NULL, "
                "PRIMARY KEY (telling, incident_id))"
            ),
            sql(
                "CREATE TABLE IF NOT EXISTS {schema}.{t} (telling text PRIMARY KEY, "
                "position bigint NOT NULL)"
            ),
        ]
        self.statements = {
            "outline": sql(
                "SELECT version, outline FROM {schema}.{o} WHERE telling = %s AND incident_id = %s"
            ),
            "entries": sql(
                "SELECT entry FROM {schema}.{e} WHERE telling = %s AND incident_id = %s "
                "AND version <= %s ORDER BY version"
            ),
            "entry": sql(
                "SELECT entry FROM {schema}.{e} WHERE telling = %s AND incident_id = %s "
                "AND version = %s"
            ),
            "tracking": sql("SELECT position FROM {schema}.{t} WHERE telling = %s"),
            "insert_entry": sql(
                "INSERT INTO {schema}.{e} VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING"
            ),
            "update_entry": sql(
                "UPDATE {schema}.{e} SET entry = %s WHERE telling = %s AND incident_id = %s "
                "AND version = %s"
            ),
            "upsert_outline": sql(
                "INSERT INTO {schema}.{o} VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (telling, incident_id) DO UPDATE "
                "SET version = excluded.version, outline = excluded.outline "
                "WHERE {o}.version < excluded.version"
            ),
            "upsert_tracking": sql(
                "INSERT INTO {schema}.{t} VALUES (%s, %s) ON CONFLICT (telling) DO UPDATE "
                "SET position = excluded.position WHERE {t}.position < excluded.position"
            ),
            **{
                f"delete_{table}": SQL("DELETE FROM {}.{}").format(schema, Identifier(table))
                for table in (ENTRIES, OUTLINES, TRACKING)
            },
        }
        # Per table: its first telling, the next one after a telling, deleting one telling.
        self.by_telling = {
            table: tuple(
                SQL(text).format(schema, Identifier(table))
                for text in (
                    "SELECT telling FROM {}.{} ORDER BY telling LIMIT 1",
                    "SELECT telling FROM {}.{} WHERE telling > %s ORDER BY telling LIMIT 1",
                    "DELETE FROM {}.{} WHERE telling = %s",
                )
            )
            for table in (ENTRIES, OUTLINES, TRACKING)
        }
        self.vacuum = SQL("VACUUM FULL {}").format(
            SQL(", ").join(
                SQL("{}.{}").format(schema, Identifier(t)) for t in (ENTRIES, OUTLINES, TRACKING)
            )
        )

    def key(self, incident_id: UUID) -> Any:
        return incident_id

    def create_tables(self) -> None:
        # CREATE TABLE IF NOT EXISTS races when workers start at once on a new database (a
        # "duplicate key" on pg_type): one at a time, and each finds the others' tables made.
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("SELECT pg_advisory_xact_lock(hashtext('steady-schema/timelines'))"))
            for statement in self.create:
                curs.execute(statement)

    def reading(self) -> AbstractContextManager[Any]:
        return binary_tuples(self.datastore)

    def writing(self) -> AbstractContextManager[Any]:
        return _pg_transaction(self.datastore)

    def query(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params, prepare=True)

    def execute(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params or None)

    def rowcount(self, curs: Any) -> int:
        return int(curs.rowcount)

    def compact(self) -> None:
        # Deleted rows stay in the table's pages until rewritten; VACUUM FULL rewrites the
        # tables (it cannot run in a transaction: the pooled connection is autocommit).
        # On a connection of its own: it may take longer than the bound a pooled connection is
        # held to (statement_timeout and the watchdog, service/store/pg_datastore.py).
        pool = self.datastore.pool
        settings = {**(pool.kwargs or {}), "autocommit": True}
        settings["options"] = "-c statement_timeout=0"
        with psycopg.connect(pool.conninfo, **settings) as conn:
            conn.execute(self.vacuum)


@contextmanager
def _pg_transaction(datastore: Any) -> Iterator[Any]:
    with binary_tuples(datastore) as curs, curs.connection.transaction():
        yield curs


class SQLiteDialect(Dialect):
    """The tables in the SQLite file of the store's events."""

    def __init__(self, recorder: SQLiteApplicationRecorder) -> None:
        self.datastore = recorder.datastore
        e, o, t = ENTRIES, OUTLINES, TRACKING
        self.create = [
            f"CREATE TABLE IF NOT EXISTS {e} (telling TEXT NOT NULL, incident_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, entry BLOB NOT NULL, "
            "PRIMARY KEY (telling, incident_id, version)) WITHOUT ROWID",
            f"CREATE TABLE IF NOT EXISTS {o} (telling TEXT NOT NULL, incident_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, outline BLOB NOT NULL, PRIMARY KEY (telling, incident_id))",
            f"CREATE TABLE IF NOT EXISTS {t} (telling TEXT PRIMARY KEY, position INTEGER NOT NULL)",
        ]
        self.statements = {
            "outline": f"SELECT version, outline FROM {o} WHERE telling = ? AND incident_id = ?",
            "entries": f"SELECT entry FROM {e} WHERE telling = ? AND incident_id = ? "
            "AND version <= ? ORDER BY version",
            "entry": f"SELECT entry FROM {e} WHERE telling = ? AND incident_id = ? AND version = ?",
            "tracking": f"SELECT position FROM {t} WHERE telling = ?",
            "insert_entry": f"INSERT OR IGNORE INTO {e} VALUES (?, ?, ?, ?)",
            "update_entry": f"UPDATE {e} SET entry = ? WHERE telling = ? AND incident_id = ? "
            "AND version = ?",
            "upsert_outline": f"INSERT INTO {o} VALUES (?, ?, ?, ?) "
            "ON CONFLICT (telling, incident_id) DO UPDATE "
            "SET version = excluded.version, outline = excluded.outline "
            f"WHERE {o}.version < excluded.version",
            "upsert_tracking": f"INSERT INTO {t} VALUES (?, ?) ON CONFLICT (telling) DO UPDATE "
            f"SET position = excluded.position WHERE {t}.position < excluded.position",
            **{f"delete_{table}": f"DELETE FROM {table}" for table in (e, o, t)},
        }
        self.by_telling = {
            table: (
                f"SELECT telling FROM {table} ORDER BY telling LIMIT 1",
                f"SELECT telling FROM {table} WHERE telling > ? ORDER BY telling LIMIT 1",
                f"DELETE FROM {table} WHERE telling = ?",
            )
            for table in (e, o, t)
        }

    def key(self, incident_id: UUID) -> Any:
        return incident_id.hex

    def create_tables(self) -> None:
        with self.datastore.transaction(commit=True) as curs:
            for statement in self.create:
                curs.execute(statement)

    def reading(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=False)

    def writing(self) -> AbstractContextManager[Any]:
        return self.datastore.transaction(commit=True)

    def query(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params)

    def execute(self, curs: Any, name: str, params: tuple) -> None:
        curs.execute(self.statements[name], params)

    def rowcount(self, curs: Any) -> int:
        return int(curs.sqlite_cursor.rowcount)

    def compact(self) -> None:
        # A deleted row's bytes stay in free pages of the file, and in the write-ahead log,
        # until overwritten: VACUUM rebuilds the file without them, and a truncating
        # checkpoint empties the log. Neither can run inside a transaction.
        with self.datastore.get_connection(commit=True) as conn:
            curs = conn.cursor()
            with curs as raw:
                raw.execute("VACUUM")
                busy = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        if busy:
            log.warning("the write-ahead log is in use: deleted rows stay in it until it is reused")


def dialect_of(recorder: ApplicationRecorder) -> Dialect:
    if isinstance(recorder, PostgresApplicationRecorder):
        return PostgresDialect(recorder)
    if isinstance(recorder, SQLiteApplicationRecorder):
        return SQLiteDialect(recorder)
    raise NoStoredTimelines(f"{type(recorder).__name__} keeps no told timelines")


class NoStoredTimelines(Exception):
    """The store cannot keep told timelines (the in-memory store of unit tests)."""
