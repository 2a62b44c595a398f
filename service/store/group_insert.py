"""The SQL of a group commit (service.store.group_commit): the function that is a group's whole
transaction, the events as the arrays it takes, and the query that tells, after a connection
was lost mid-commit, whether the group was written."""

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from psycopg.sql import SQL, Composed, Identifier, Literal


def create_function(
    schema: Identifier, table: Identifier, function: Identifier, id_type: Identifier,
    channel: Identifier,
) -> Composed:  # fmt: skip
    """The group's transaction, as a function: lock, NOTIFY, insert, ids in the order given.

    Created only if missing, under an advisory lock: CREATE OR REPLACE from several processes
    starting at once can fail with "tuple concurrently updated"."""
    signature = SQL("{}.{}({}[], bigint[], text[], bytea[], text)").format(
        schema, function, id_type
    )
    return SQL(
        "DO $guard$ BEGIN "
        "PERFORM pg_advisory_xact_lock(hashtext({name})); "
        "IF to_regprocedure({name}) IS NULL THEN "
        "CREATE FUNCTION {schema}.{function}("
        "ids {id_type}[], versions bigint[], topics text[], states bytea[], lock_timeout text) "
        "RETURNS SETOF bigint LANGUAGE plpgsql AS $body$ "
        "BEGIN "
        "PERFORM set_config('lock_timeout', lock_timeout, true); "
        # As the library's recorder: ids are issued and committed in order.
        "LOCK TABLE {schema}.{table} IN EXCLUSIVE MODE; "
        "NOTIFY {channel}; "
        # Ids matched to events by key and returned in the order given, so each caller gets
        # its own ids whatever order the rows went in.
        "RETURN QUERY WITH inserted AS ("
        "INSERT INTO {schema}.{table} (originator_id, originator_version, topic, state) "
        "SELECT * FROM unnest(ids, versions, topics, states) "
        "RETURNING originator_id, originator_version, notification_id) "
        "SELECT inserted.notification_id FROM inserted "
        "JOIN unnest(ids, versions) WITH ORDINALITY "
        "AS given(originator_id, originator_version, position) "
        "USING (originator_id, originator_version) "
        "ORDER BY given.position; "
        "END $body$; "
        "END IF; "
        "END $guard$"
    ).format(
        name=Literal(signature.as_string(None)),
        schema=schema,
        function=function,
        id_type=id_type,
        table=table,
        channel=channel,
    )


def columns(events: Sequence[StoredEvent]) -> tuple[list[Any], list[int], list[str], list[bytes]]:
    """Events as four arrays: psycopg sends arrays of plain types in binary, cheaply."""
    return (
        [e.originator_id for e in events],
        [e.originator_version for e in events],
        [e.topic for e in events],
        [e.state for e in events],
    )


def committed_query(schema: Identifier, table: Identifier, id_type: Identifier) -> Composed:
    """The stored rows at the versions given, with their ids and state, in the order given."""
    return SQL(
        "SELECT e.notification_id, e.state FROM {schema}.{table} e "
        "JOIN unnest(%b::{id_type}[], %b::bigint[]) WITH ORDINALITY "
        "AS given(originator_id, originator_version, position) "
        "USING (originator_id, originator_version) ORDER BY given.position"
    ).format(schema=schema, table=table, id_type=id_type)


def ids_if_written(
    events: Sequence[StoredEvent], rows: list[tuple[int, bytes]]
) -> list[int] | None:
    """The events' notification ids if the rows found at their versions are these very
    events, None if they are not there. A group is inserted whole or not at all, and each
    event's state is sealed with a fresh nonce, so equal state means this group, written."""
    if len(rows) == len(events) and all(
        bytes(state) == event.state for (_, state), event in zip(rows, events, strict=True)
    ):
        return [notification_id for notification_id, _ in rows]
    return None
