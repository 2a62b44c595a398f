"""The baseline every write benchmark is judged against: plain durable INSERTs into a table of
the shape of eventsourcing's events table, with no event-sourcing library at all.

PlainInserts: plain psycopg, one connection per writer, single-row `INSERT ... RETURNING
notification_id` in autocommit (each row its own committed transaction) into `bench_events`
(originator_id uuid, originator_version bigint, topic text, state bytea, notification_id
bigserial, PK (originator_id, originator_version), unique index on notification_id). Topic and
state are those of a real NoteAdded event (note_event)."""

import uuid

import psycopg

from domain.people import Actor
from service.incidents.application import Steady

LEAD = Actor("m.alvarez", "crisis-lead")
NOTE = "Reunification at the church on Elm Street; buses leave at 14:30."


def note_event() -> tuple[str, bytes]:
    """Topic and state of a real NoteAdded event, so every row writes the same bytes."""
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = app.open_incident(
        title="Lockdown", kind="lockdown", severity=1, schools=["Roosevelt"], actor=LEAD
    ).reference
    app.add_note(ref, NOTE, actor=LEAD)
    last = app.recorder.select_notifications(None, 10)[-1]
    app.close()
    return last.topic, last.state


class PlainInserts:
    """The baseline: what PostgreSQL and psycopg do with no event-sourcing library at all."""

    def __init__(self, url: str, topic: str, state: bytes) -> None:
        self.url, self.topic, self.state = url, topic, state
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_events (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            )
            conn.execute("CREATE UNIQUE INDEX ON bench_events (notification_id)")
        self.connections: list[psycopg.Connection] = []

    def prepare(self, writers: int, expected_per_writer: int) -> None:
        while len(self.connections) < writers:
            self.connections.append(psycopg.connect(self.url, autocommit=True))
        self.ids = [uuid.uuid4() for _ in range(writers)]
        self.versions = [0] * writers

    def op(self, writer: int) -> None:
        self.versions[writer] += 1
        self.connections[writer].execute(
            "INSERT INTO bench_events (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s) RETURNING notification_id",
            (self.ids[writer], self.versions[writer], self.topic, self.state),
            prepare=True,
        ).fetchone()

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
