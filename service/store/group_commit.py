"""Group commit for the PostgreSQL event store.

The library's PostgreSQL recorder runs one transaction per save: an EXCLUSIVE table lock (so
notification ids are committed in order), a NOTIFY and a commit that waits for the WAL to reach
disk. Writers queue on that lock, so one event per save runs at a fraction of what PostgreSQL
can insert. Here, saves that arrive while a transaction is in flight wait in a queue, and the
next transaction writes all of them: one lock, one NOTIFY, one durable commit for the group.

The group's transaction is one statement, a call to a small PL/pgSQL function created with the
table: it takes the same EXCLUSIVE lock, sends the NOTIFY and inserts every event of the group
in one INSERT; in autocommit mode the statement is the transaction, so a group costs one round
trip, one lock, one NOTIFY and one commit (a psycopg pipeline of the same four statements
costs about three times as much client CPU, and the client's CPU is what limits throughput).

Leader/follower, no background thread: the first caller to find nobody committing becomes the
leader, takes the queue, commits it and wakes each caller; then it hands the lead to the first
caller still queued. Each caller returns only after the transaction holding its events has
committed, with its own notification ids, which are contiguous (each batch is inserted whole,
in queue order, under the table lock) and committed in order.

A batch that violates the unique constraint (another writer took that version: optimistic
concurrency) fails only its own caller with IntegrityError: the group is written again with a
SAVEPOINT per batch, so the others still commit.

Every caller has a deadline (service.store.outage): it waits in the queue and the group is
written only until then. A caller told StoreUnreachable had nothing written. When the
connection is lost while the group's statement may have reached the server, whether it
committed is unknown: the next attempt first asks the store whether the group's events are
there (sealed state is unique, so they are recognised) and writes them only if not; a caller
whose deadline passes before the store can be asked is told OutcomeUnknown.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.persistence import (
    DataError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    PersistenceError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Composed, Identifier, Literal
from psycopg_pool import PoolClosed

from service.store.group_insert import columns, committed_query, create_function, ids_if_written
from service.store.outage import OutcomeUnknown, StoreUnreachable
from service.store.pg_reads import FastReadRecorder, binary_tuples

Outcome = list[int] | BaseException


class _Batch:
    """One caller's insert_events(): its events, and the outcome the leader leaves for it."""

    __slots__ = ("deadline", "done", "error", "events", "ids", "leads", "wakeup")

    def __init__(self, events: Sequence[StoredEvent], deadline: float) -> None:
        self.events = events
        self.deadline = deadline  # when its caller stops waiting (see service.store.outage)
        # Released once, when the outcome is in or when this caller must lead. A bare lock,
        # not an Event: releasing it is one C call, and the leader wakes a whole group.
        self.wakeup = threading.Lock()
        self.wakeup.acquire()
        self.leads = False
        self.done = False
        self.ids: list[int] = []
        self.error: BaseException | None = None


class GroupCommitRecorder(FastReadRecorder):
    """A PostgreSQL application recorder whose concurrent inserts share one transaction (and
    whose reads are FastReadRecorder's)."""

    # A group larger than this is split (a single larger batch still goes whole, alone).
    max_group_events = 10_000
    # Between attempts at a group after connection trouble, until the group's deadline.
    retry_wait = 0.1

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self._mutex = threading.Lock()
        self._queue: deque[_Batch] = deque()
        self._leading = False  # whether some caller holds the lead
        self._closed = False
        # A caller still queued (its events not yet sent) after this long gives up: nothing of
        # it was written. Once a leader has taken its batch, it waits for the outcome, which
        # comes by the group's deadline: the earliest of its callers'.
        self.queue_timeout = self.reach.bound

        # Versioned: the function is created once per database (see create_function), so a
        # changed body needs a new name.
        function_name = f"{self.events_table_name}_group_insert_v1"
        self.check_identifier_length(function_name)
        schema = Identifier(self.datastore.schema)
        table = Identifier(self.events_table_name)
        function = Identifier(function_name)
        id_type = Identifier(self.datastore.originator_id_type)
        self.sql_create_statements.append(
            create_function(schema, table, function, id_type, Identifier(self.channel_name))
        )
        self._committed = committed_query(schema, table, id_type)
        self._group_insert: Composed = SQL(
            "SELECT * FROM {schema}.{function}("
            "%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[], %s) AS ids(notification_id)"
        ).format(schema=schema, function=function, id_type=id_type)
        self._insert_columns: Composed = SQL(
            "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
            "SELECT * FROM unnest(%b::{id_type}[], %b::bigint[], %b::text[], %b::bytea[]) "
            "RETURNING notification_id"
        ).format(schema=schema, table=table, id_type=id_type)
        self._notify_statement = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._lock_timeout = f"{self.datastore.lock_timeout}s"

    def _create_table(self, curs: Any) -> None:
        # The library creates its table, index and CREATE OR REPLACE FUNCTION in one
        # transaction; processes starting at once on a new database then fail with "tuple
        # concurrently updated". One at a time, and each finds the others' work done.
        curs.execute(
            SQL("SELECT pg_advisory_xact_lock(hashtext({}))").format(
                Literal(f"steady-schema/{self.events_table_name}")
            )
        )
        super()._create_table(curs)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if (
            kwargs.get("tracking") is not None
            or kwargs.keys() - {"tracking"}
            or self.datastore.enable_db_functions
        ):
            # Not what an application recorder is asked to do in Steady: keep the stock path.
            return super().insert_events(stored_events, **kwargs)
        if not stored_events:
            return []
        batch = _Batch(stored_events, time.monotonic() + self.queue_timeout)
        with self._mutex:
            if self._closed:
                raise OperationalError("the event store is closed")
            self._queue.append(batch)
            if not self._leading:
                self._leading = batch.leads = True
        if not batch.leads:
            self._wait(batch)
        if batch.leads:
            self._lead(batch)
        if batch.error is not None:
            raise batch.error
        return batch.ids

    def close(self) -> None:
        """Refuses new inserts and fails the callers still queued; a group in flight finishes.

        Application.close() closes the datastore, not the recorder: then the next group fails
        to get a connection, and every caller in it and behind it gets that error."""
        with self._mutex:
            self._closed = True
            queued = [b for b in self._queue if not b.leads]
            for batch in queued:
                self._queue.remove(batch)
        for batch in queued:
            self._finish(batch, OperationalError("the event store was closed; nothing written"))

    # -- leader and followers ---------------------------------------------------------------

    def _wait(self, batch: _Batch) -> None:
        if batch.wakeup.acquire(timeout=max(0.0, batch.deadline - time.monotonic())):
            return
        with self._mutex:
            # Still queued and not called to lead: nobody else can touch it now.
            withdraw = not batch.leads and any(b is batch for b in self._queue)
            if withdraw:
                self._queue.remove(batch)
        if withdraw:
            message = f"gave up after {self.queue_timeout:g}s in the commit queue; nothing written"
            self._finish(batch, StoreUnreachable(message))
            return
        batch.wakeup.acquire()  # a leader has the batch, or just called it to lead

    def _lead(self, own: _Batch) -> None:
        try:
            while not own.done:
                with self._mutex:
                    group = self._take_group()
                self._commit(group)
        finally:
            # Pass the lead on even if this caller is failing, so nobody is left queued.
            with self._mutex:
                successor = next((b for b in self._queue if not b.done), None)
                if successor is None:
                    self._leading = False
                else:
                    successor.leads = True
                    successor.wakeup.release()

    def _take_group(self) -> list[_Batch]:
        group = [self._queue.popleft()]
        size = len(group[0].events)
        while self._queue and size + len(self._queue[0].events) <= self.max_group_events:
            batch = self._queue.popleft()
            group.append(batch)
            size += len(batch.events)
        return group

    def _commit(self, group: list[_Batch]) -> None:
        """Writes the group and gives every caller in it an outcome, whatever happens."""
        now = time.monotonic()
        for late in [b for b in group if b.deadline <= now]:  # no time left to write it
            self._finish(late, StoreUnreachable("no time left to commit; nothing written"))
        group = [b for b in group if not b.done]
        if not group:
            return
        outcomes: list[Outcome] | None = None
        try:
            if self._closed:
                raise OperationalError("the event store was closed; nothing written")
            outcomes = self._write_with_retries(group)
        except BaseException as error:
            for batch in group:
                self._finish(batch, _for_one_caller(error))
            if not isinstance(error, Exception):
                raise  # KeyboardInterrupt and the like: everyone is told, then it goes on up
        else:
            for batch, outcome in zip(group, outcomes, strict=True):
                self._finish(batch, outcome)

    @staticmethod
    def _finish(batch: _Batch, outcome: Outcome) -> None:
        if isinstance(outcome, BaseException):
            batch.error = outcome
        else:
            batch.ids = outcome
        batch.done = True
        if not batch.leads:  # a leader is not waiting: it was woken once already, or never
            batch.wakeup.release()

    # -- writing ----------------------------------------------------------------------------

    def _write_with_retries(self, group: list[_Batch]) -> list[Outcome]:
        """Writes the group by the earliest deadline of its callers, again after connection
        trouble. After a statement whose outcome was lost, a batch is written again only once
        it is not in the store and that statement can no longer commit (PostgreSQL cancels it
        after the bound: statement_timeout); until then the store is asked if it is there."""
        outcomes: dict[int, Outcome] = {}
        in_doubt_until = 0.0  # while a lost statement may still commit
        with self.reach.operation(min(b.deadline for b in group)):
            while True:
                sent = time.monotonic()
                try:
                    if in_doubt_until:
                        for i in range(len(group)):
                            found = self._written_ids(group[i].events)
                            if found is not None:
                                outcomes[i] = found
                    pending = [i for i in range(len(group)) if i not in outcomes]
                    if pending and time.monotonic() < in_doubt_until:
                        raise _InDoubt()
                    if pending:
                        sent = time.monotonic()
                        written = self._write([group[i] for i in pending])
                        outcomes.update(zip(pending, written, strict=True))
                    return [outcomes[i] for i in range(len(group))]
                except (InterfaceError, OperationalError) as error:
                    if isinstance(error.__cause__, PoolClosed):
                        self._closed = True  # a closed pool never reopens: stop queueing callers
                        raise
                    if _may_have_committed(error):  # a second of margin for the network
                        in_doubt_until = sent + self.reach.bound + 1.0
                    in_doubt = in_doubt_until > 0
                    if self.reach.remaining() <= self.retry_wait or (
                        isinstance(error, StoreUnreachable) and not in_doubt
                    ):
                        raise _given_up(error, in_doubt) from error
                time.sleep(self.retry_wait)

    def _written_ids(self, events: Sequence[StoredEvent]) -> list[int] | None:
        ids, versions = [e.originator_id for e in events], [e.originator_version for e in events]
        with binary_tuples(self.datastore) as curs:
            curs.execute(self._committed, (ids, versions))
            return ids_if_written(events, curs.fetchall())

    def _write(self, group: list[_Batch]) -> list[Outcome]:
        events = [event for batch in group for event in batch.events]
        if len(group) == 1:
            return [self._insert_together(events)]
        try:
            ids = self._insert_together(events)
        except (IntegrityError, DataError):
            # Some batch is at fault; find which, and commit the others without it.
            return self._insert_each(group)
        outcomes: list[Outcome] = []
        start = 0
        for batch in group:
            outcomes.append(ids[start : start + len(batch.events)])
            start += len(batch.events)
        return outcomes

    def _insert_together(self, events: list[StoredEvent]) -> list[int]:
        """The group's transaction: one statement in autocommit mode, so one round trip."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._group_insert, (*columns(events), self._lock_timeout), prepare=True)
            ids = [row["notification_id"] for row in curs.fetchall()]
        if len(ids) != len(events):  # cannot happen: the insert is all or nothing
            raise DataError(f"got {len(ids)} notification ids for {len(events)} events")
        return ids

    def _insert_each(self, group: list[_Batch]) -> list[Outcome]:
        """The slow path after a conflict: a SAVEPOINT per batch, so only the culprits fail."""
        outcomes: list[Outcome] = []
        with (
            self.datastore.get_connection() as conn,
            conn.transaction(),
            conn.cursor() as curs,
        ):
            self._lock_table(curs)
            curs.execute(self._notify_statement)
            for batch in group:
                try:
                    with conn.transaction():  # a savepoint
                        curs.execute(self._insert_columns, columns(batch.events))
                        ids = [row["notification_id"] for row in curs.fetchall()]
                except psycopg.IntegrityError as e:
                    outcomes.append(IntegrityError(str(e)))
                except psycopg.DataError as e:
                    outcomes.append(DataError(str(e)))
                else:
                    outcomes.append(ids)
        return outcomes


class _InDoubt(OperationalError):
    """A lost statement may still commit: not yet the moment to write its events again."""


def _may_have_committed(error: Exception) -> bool:
    """Whether a failed statement may still have committed: yes when the connection was lost
    (no answer from the server), no when the server answered with an error, or when no
    connection was had at all."""
    if isinstance(error, (StoreUnreachable, _InDoubt)):
        return False
    cause = error.__cause__
    sqlstate = cause.sqlstate if isinstance(cause, psycopg.Error) else None
    return sqlstate is None or sqlstate.startswith("08")


def _given_up(error: Exception, in_doubt: bool) -> StoreUnreachable:
    if in_doubt:
        return OutcomeUnknown(
            f"the connection was lost while committing and the store could not be asked "
            f"whether it was written: {error}"
        )
    if isinstance(error, StoreUnreachable):
        return StoreUnreachable(str(error))
    return StoreUnreachable(f"could not commit in time; nothing written: {error}")


def _for_one_caller(error: BaseException) -> BaseException:
    """A separate exception per waiting caller: one instance raised in many threads would have
    its traceback rewritten by each of them."""
    if not isinstance(error, Exception):
        return OperationalError(f"the committing thread stopped: {error!r}; outcome unknown")
    try:
        copy = type(error)(*error.args)
    except Exception:
        copy = PersistenceError(str(error))
    copy.__cause__ = error
    return copy
