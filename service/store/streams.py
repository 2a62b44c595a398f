"""Reading one incident's stream together with each event's global position.

The eventsourcing recorders read a stream without positions, or the whole log with them;
readers of an incident need both at once, so this asks the store directly."""

from collections.abc import Sequence
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from service.store.pg_reads import binary_tuples


def select_stream(
    recorder: ApplicationRecorder, originator_id: UUID, *, after_version: int = 0
) -> Sequence[Notification]:
    if isinstance(recorder, PostgresApplicationRecorder):
        statement = SQL(
            "SELECT originator_id, originator_version, topic, state, notification_id "
            "FROM {}.{} WHERE originator_id = %s AND originator_version > %s "
            "ORDER BY originator_version"
        ).format(Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
        with binary_tuples(recorder.datastore) as curs:
            curs.execute(statement, (originator_id, after_version), prepare=True)
            return [Notification(*row) for row in curs.fetchall()]
    if isinstance(recorder, SQLiteApplicationRecorder):
        statement_text = (
            f"SELECT rowid, originator_id, originator_version, topic, state "
            f"FROM {recorder.events_table_name} WHERE originator_id = ? "
            "AND originator_version > ? ORDER BY originator_version"
        )
        with recorder.datastore.transaction(commit=False) as curs:
            curs.execute(statement_text, (originator_id.hex, after_version))
            return [
                Notification(
                    id=row[0],
                    originator_id=UUID(row[1]),
                    originator_version=row[2],
                    topic=row[3],
                    state=row[4],
                )
                for row in curs.fetchall()
            ]
    # Any other recorder (the in-memory one in unit tests): scan the log.
    return [
        n
        for n in recorder.select_notifications(0, 1_000_000)
        if n.originator_id == originator_id and n.originator_version > after_version
    ]
