"""Reading events straight from the store's table, with each event's global position: one
incident's stream, or the events any other condition picks.

The eventsourcing recorders read a stream without positions, or the whole log with them;
readers of an incident need both at once, so this asks the store directly."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from service.store.pg_reads import binary_tuples


def select_rows(
    recorder: ApplicationRecorder, where: str, params: Sequence[Any], *, order_by: str = ""
) -> list[Notification] | None:
    """The events whose row meets `where` (a condition on the table's columns, with `%s` for
    each of `params`), with their positions; None from a recorder with no table to ask (the
    in-memory one in unit tests), whose log the caller reads instead."""
    tail = f" WHERE {where}" + (f" ORDER BY {order_by}" if order_by else "")
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = SQL(
            "SELECT originator_id, originator_version, topic, state, notification_id FROM {}.{}"
            + tail
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        with binary_tuples(recorder.datastore) as curs:
            curs.execute(statement, params, prepare=True)
            return [Notification(*row) for row in curs.fetchall()]
    if isinstance(recorder, SQLiteApplicationRecorder):
        # Ids are stored as lowercase hex (which sorts as the bytes do); placeholders are `?`.
        statement_text = (
            "SELECT originator_id, originator_version, topic, state, rowid "
            f"FROM {recorder.events_table_name}" + tail.replace("%s", "?")
        )
        values = [p.hex if isinstance(p, UUID) else p for p in params]
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement_text, values)
            return [
                Notification(
                    originator_id=UUID(row[0]),
                    originator_version=row[1],
                    topic=row[2],
                    state=row[3],
                    id=row[4],
                )
                for row in curs.fetchall()
            ]
    return None


def select_stream(
    recorder: ApplicationRecorder, originator_id: UUID, *, after_version: int = 0
) -> Sequence[Notification]:
    rows = select_rows(
        recorder,
        "originator_id = %s AND originator_version > %s",
        (originator_id, after_version),
        order_by="originator_version",
    )
    if rows is not None:
        return rows
    # Any other recorder (the in-memory one in unit tests): scan the log.
    return [
        n
        for n in recorder.select_notifications(0, 1_000_000)
        if n.originator_id == originator_id and n.originator_version > after_version
    ]
