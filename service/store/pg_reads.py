"""Reading an aggregate's events from PostgreSQL with less client work than the library does.

Every command replays its incident, and an auditor's replay reads thousands of rows, so the
client's cost per row matters. The library's select_events() composes its statement anew on
every call and fetches text-format rows as dicts (bytea arrives hex-encoded and is decoded in
the client). Here the statements are rendered once and rows come back as tuples in binary
format: the same SQL and the same results, in about half the time for a long stream.

Every read is retried after a lost connection until its deadline (service.store.outage), not ten
times whatever it takes as the library's are: with the store cut off, a read fails within the
bound.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from itertools import product
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from service.store.outage import DEFAULT_BOUND, Reach, bounded

# Which optional clauses a select_events() call uses: gt, lte, descending, limit.
Clauses = tuple[bool, bool, bool, bool]


class FastReadRecorder(PostgresApplicationRecorder):
    """PostgresApplicationRecorder with a cheaper select_events(), and reads bounded in time."""

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        select = SQL(
            "SELECT originator_id, originator_version, topic, state FROM {schema}.{table} "
            "WHERE originator_id = %s"
        ).format(schema=Identifier(self.datastore.schema), table=Identifier(self.events_table_name))
        self._select_statements: dict[Clauses, str] = {
            clauses: _with_clauses(select.as_string(None), clauses)
            for clauses in product((False, True), repeat=4)
        }
        # A datastore other than Steady's (the library's contract tests build their own) gets
        # the default bound.
        self.reach: Reach = getattr(datastore, "reach", None) or Reach(DEFAULT_BOUND)

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        read = PostgresApplicationRecorder.select_notifications.__wrapped__  # without its retry
        return bounded(
            self.reach,
            lambda: read(self, start, limit, stop, topics, inclusive_of_start=inclusive_of_start),
            what="read the event log",
        )

    def max_notification_id(self) -> int | None:
        read = PostgresApplicationRecorder.max_notification_id.__wrapped__
        return bounded(self.reach, lambda: read(self), what="read the event log's end")

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        clauses = (gt is not None, lte is not None, desc is not False, limit is not None)
        params: list[Any] = [originator_id, *(p for p in (gt, lte, limit) if p is not None)]

        def read() -> list[StoredEvent]:
            with binary_tuples(self.datastore) as curs:
                curs.execute(self._select_statements[clauses], params, prepare=True)
                rows = curs.fetchall()
            return [StoredEvent(*row) for row in rows]

        return bounded(self.reach, read, what="read a stream of events")


@contextmanager
def binary_tuples(datastore: PostgresDatastore) -> Iterator[Cursor[tuple[Any, ...]]]:
    """A cursor on a pooled (autocommit) connection whose rows are tuples in binary format:
    bytea arrives as bytes, not as hex to decode."""
    with (
        datastore.get_connection() as conn,
        conn.cursor(binary=True, row_factory=tuple_row) as curs,
    ):
        yield curs


def _with_clauses(select: str, clauses: Clauses) -> str:
    gt, lte, desc, limit = clauses
    statement = select
    if gt:
        statement += " AND originator_version > %s"
    if lte:
        statement += " AND originator_version <= %s"
    statement += " ORDER BY originator_version " + ("DESC" if desc else "ASC")
    if limit:
        statement += " LIMIT %s"
    return statement
