"""Append throughput: commands per second with ONE event each, against a plain-INSERT baseline.

    .venv/bin/python bench/append.py [--seconds 2.5] [--rounds 5] [--writers 1,16] [--only TEXT]

Needs the PostgreSQL server on 127.0.0.1:5432 (user postgres, trust auth, database `test`;
override with STEADY_BENCH_PG_HOST/PORT/USER/ADMIN_DB). It creates its own databases and a
temporary SQLite file and removes them at the end.

What each row measures (writers are threads in ONE process, like a web server's workers):

- baseline: plain psycopg, one connection per writer, single-row `INSERT ... RETURNING
  notification_id` in autocommit (each row its own committed transaction) into a table of the
  same shape as eventsourcing's events table (originator_id uuid, originator_version bigint,
  topic text, state bytea, notification_id bigserial, PK (originator_id, originator_version),
  unique index on notification_id). Topic and state are those of a real NoteAdded event.
  It lives in bench/baseline.py, shared with bench/commands.py.
- recorder stock / recorder group-commit: `recorder.insert_events([one stored event])` on
  eventsourcing's PostgresApplicationRecorder and on service.store.group_commit.GroupCommitRecorder:
  the store alone, without Steady's command work.
- steady <store>: `Steady.add_note(ref, text, actor=...)`, a whole command (find the incident,
  replay it, check the rules, save one event). Each writer works on its OWN incidents, so
  writers never conflict; an incident takes at most --notes-per-incident notes (default 50)
  before the writer moves to a fresh one, opened before the round (not timed), so replay depth
  (1 to 51 events) is the same in every round. "+ aggregate cache" is the same command with
  eventsourcing's aggregate cache on (Steady leaves it off: it measured slower at this depth).

Every row is durable when acknowledged: PostgreSQL with fsync and synchronous_commit on (the
header shows the server's settings), SQLite in WAL mode with synchronous=FULL (its default).

Each configuration runs one warm-up round, then --rounds rounds of --seconds; the table shows
the MEDIAN operations per second, the range over the rounds, and the ratio to the baseline with
the same number of writers. "events/commit" is the mean group size of the group-commit recorder.
"""

import argparse
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from urllib.parse import urlsplit

from baseline import LEAD, NOTE, PlainInserts, note_event
from eventsourcing.persistence import ApplicationRecorder, StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from measuring import (
    Result,
    print_conditions,
    print_table,
    run_writers,
    temporary_databases,
)

from playbooks.library import Library
from service.config import Settings
from service.incidents.application import Steady
from service.store.group_commit import GroupCommitRecorder
from service.store.keys import cipher_env, generate_key

STOCK_RECORDER = "eventsourcing.postgres:PostgresApplicationRecorder"
GROUP_RECORDER = "service.store.group_commit:GroupCommitRecorder"

# eventsourcing's aggregate cache, which Steady does not use: a command would copy the cached
# incident and bring it up to date instead of replaying its stream.
CACHE = {"AGGREGATE_CACHE_MAXSIZE": "1000"}
# Measured as deployed: event state encrypted at rest.
AT_REST = cipher_env(generate_key())


class Target(Protocol):
    def prepare(self, writers: int, expected_per_writer: int) -> None: ...
    def op(self, writer: int) -> None: ...
    def close(self) -> None: ...


class RecorderInserts:
    """The store alone: one stored event per insert_events() call."""

    def __init__(self, url: str, recorder_class: type[PostgresApplicationRecorder], topic: str,
                 state: bytes) -> None:  # fmt: skip
        parts = urlsplit(url)
        self.datastore = PostgresDatastore(
            parts.path.lstrip("/"),
            parts.hostname or "",
            parts.port or 5432,
            parts.username or "",
            "",
            pool_size=20,
            lock_timeout=10,
        )
        self.recorder: ApplicationRecorder = recorder_class(self.datastore)
        self.recorder.create_table()
        self.topic, self.state = topic, state
        self.counter = GroupCounter.attach(self.recorder)

    def prepare(self, writers: int, expected_per_writer: int) -> None:
        self.ids = [uuid.uuid4() for _ in range(writers)]
        self.versions = [0] * writers

    def op(self, writer: int) -> None:
        self.versions[writer] += 1
        event = StoredEvent(self.ids[writer], self.versions[writer], self.topic, self.state)
        self.recorder.insert_events([event])

    def close(self) -> None:
        self.datastore.close()


class SteadyNotes:
    """Whole commands: Steady.add_note on incidents of the writer's own."""

    def __init__(self, env: dict[str, str], notes_per_incident: int):
        self.app = Steady(env, playbooks=Library.load())
        self.notes_per_incident = notes_per_incident
        self.counter = GroupCounter.attach(self.app.recorder)

    def prepare(self, writers: int, expected_per_writer: int) -> None:
        per_writer = max(1, -(-expected_per_writer // self.notes_per_incident))
        self.refs = [[self._open() for _ in range(per_writer)] for _ in range(writers)]
        self.done = [0] * writers

    def _open(self) -> str:
        return self.app.open_incident(
            title="Lockdown after a report of a weapon",
            kind="lockdown",
            severity=1,
            schools=["Roosevelt High School"],
            actor=LEAD,
        ).reference

    def op(self, writer: int) -> None:
        refs, done = self.refs[writer], self.done[writer]
        # Past the estimate, wrap round: incidents grow beyond the intended depth.
        ref = refs[(done // self.notes_per_incident) % len(refs)]
        self.app.add_note(ref, NOTE, actor=LEAD)
        self.done[writer] = done + 1

    def close(self) -> None:
        self.app.close()


class GroupCounter:
    """Counts the group-commit recorder's transactions, for the mean group size."""

    def __init__(self) -> None:
        self.groups = 0
        self.batches = 0

    @classmethod
    def attach(cls, recorder: ApplicationRecorder) -> "GroupCounter | None":
        if not isinstance(recorder, GroupCommitRecorder):
            return None
        counter = cls()
        take_group = recorder._take_group

        def counting() -> list:
            group = take_group()
            counter.groups += 1
            counter.batches += len(group)
            return group

        recorder._take_group = counting  # type: ignore[method-assign]
        return counter

    def mean(self) -> float:
        return self.batches / self.groups if self.groups else 0.0


@dataclass
class Case:
    name: str
    make: Callable[[], Target]


def measure(case: Case, writers: int, seconds: float, rounds: int) -> tuple[Result, str]:
    target = case.make()
    try:
        target.prepare(writers, expected_per_writer=int(300 * seconds))
        rate = run_writers(writers, seconds / 2, target.op)  # warm-up, not counted
        result = Result(case.name, writers)
        counter: GroupCounter | None = getattr(target, "counter", None)
        if counter:
            counter.groups = counter.batches = 0
        for _ in range(rounds):
            target.prepare(writers, expected_per_writer=int(1.3 * rate * seconds / writers) + 1)
            rate = run_writers(writers, seconds, target.op)
            result.samples.append(rate)
        group = f"{counter.mean():.1f}" if counter else ""
        return result, group
    finally:
        target.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.5, help="length of a round")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds per row")
    parser.add_argument("--writers", default="1,16", help="comma-separated writer counts")
    parser.add_argument("--notes-per-incident", type=int, default=50)
    parser.add_argument("--only", default="", help="run only rows whose name contains this")
    args = parser.parse_args(argv)
    writer_counts = [int(w) for w in args.writers.split(",")]

    print_conditions()
    topic, state = note_event()
    print(f"event: {topic}, {len(state)} bytes of state; {args.rounds} rounds of "
          f"{args.seconds}s per row (+ a warm-up); medians\n")  # fmt: skip

    with temporary_databases("steady_bench") as new_database, tempfile.TemporaryDirectory() as tmp:
        sqlite_db = Path(tmp) / "bench.db"

        def steady_env(recorder_topic: str) -> dict[str, str]:
            env = Settings(database_url=new_database("steady")).eventsourcing_env() | AT_REST
            env["APPLICATION_RECORDER_TOPIC"] = recorder_topic
            return env

        cases = [
            Case("baseline: psycopg INSERT+COMMIT", lambda: PlainInserts(
                new_database("plain"), topic, state)),
            Case("recorder stock (postgres)", lambda: RecorderInserts(
                new_database("stock"), PostgresApplicationRecorder, topic, state)),
            Case("recorder group-commit (postgres)", lambda: RecorderInserts(
                new_database("group"), GroupCommitRecorder, topic, state)),
            Case("steady add_note, stock (postgres)", lambda: SteadyNotes(
                steady_env(STOCK_RECORDER), args.notes_per_incident)),
            Case("steady add_note, group-commit (postgres)", lambda: SteadyNotes(
                steady_env(GROUP_RECORDER), args.notes_per_incident)),
            Case("steady add_note, group-commit + aggregate cache (postgres)", lambda: SteadyNotes(
                steady_env(GROUP_RECORDER) | CACHE, args.notes_per_incident)),
            Case("steady add_note (sqlite)", lambda: SteadyNotes(
                Settings(database_url=f"sqlite:///{sqlite_db}").eventsourcing_env() | AT_REST,
                args.notes_per_incident)),
        ]  # fmt: skip
        results: list[tuple[Result, str]] = []
        for case in cases:
            if args.only not in case.name and not case.name.startswith("baseline"):
                continue
            for writers in writer_counts:
                print(f"  measuring {case.name} with {writers} writer(s)...", file=sys.stderr)
                results.append(measure(case, writers, args.seconds, args.rounds))

    baseline = {r.writers: r.median for r, _ in results if r.name.startswith("baseline")}
    rows = [
        [
            r.name,
            str(r.writers),
            f"{r.median:,.0f}",
            f"{min(r.samples):,.0f}-{max(r.samples):,.0f}",
            f"{r.median / baseline[r.writers]:.2f}",
            group,
        ]
        for r, group in results
    ]
    print_table(
        ["configuration", "writers", "median/s", "range", "x baseline", "events/commit"], rows
    )


if __name__ == "__main__":
    main()
