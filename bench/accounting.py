"""Accounting for all persons at its peak: a high school of 120 classes reporting into one
lockdown within two minutes, through the HTTP API of a real server on PostgreSQL.

    .venv/bin/python bench/accounting.py [--runs 3] [--spread 120 --spread 0] [--classes 120]
                                         [--students 25] [--workers N]
    .venv/bin/python bench/accounting.py --runs 1 --spread 5 --classes 10   # a quick check

Needs the PostgreSQL server on 127.0.0.1:5432 (user postgres, trust auth, database `test`;
override with STEADY_BENCH_PG_HOST/PORT/USER/ADMIN_DB). It makes its own databases and drops
them at the end.

Set-up (not timed): a fresh database with event state encrypted at rest, as deployed; a district
and a crisis lead (`steady orgs`, `steady users`, as bench/serving.py does), a school, --classes
teacher accounts each with an API token, and a OneRoster export of that school imported (one
homeroom per teacher, --students each, so every class is in session at any moment). Then
`steady serve` is started.

Each run opens a new lockdown at the school through the API and every teacher, a thread of its
own with its own keep-alive connection, waits for their moment (spread evenly over --spread
seconds, in a shuffled order; 0: all at the same instant, behind a barrier), loads their class
(`GET .../accounting/mine`, then `GET .../classes/{id}`) and reports every student of it in one
`POST .../classes/{id}/reports` (26 events: the class's stream started and a mark per student).
Timed per teacher: the load (both GETs) and the report. Afterwards the commander's picture is
read and checked: every class reported, every student accounted for, no one unknown; any
report not answered 200 is counted as refused (the target: none).

The baseline, in the same run and on the same PostgreSQL (another database): the same number of
writers with the same moments, each doing what a report stores with no web server and no
library: one durable transaction inserting 26 rows into a table of the events table's shape
(bench/baseline.py's table), committed; the writers share 30 connections, as many as the
server's pool holds at most (this PostgreSQL takes 100 clients in all, other users included).

The table: the MEDIAN over the runs of each p50 and p99, the largest max, refusals summed; the
target is a report's p99 at most 500 ms.
"""

import argparse
import queue
import random
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import psycopg
from baseline import note_event
from measuring import median_of, percentile, print_conditions, print_table, temporary_databases
from serving import Client, Server, lead_token, steady_command, steady_env

from domain.people import Actor
from service.accounts.service import Accounts
from service.bootstrap import assemble, open_steady
from service.config import Settings
from service.store.keys import generate_key

TARGET_P99_MS = 500.0
SCHOOL_ID, SCHOOL_NAME = "bench-high", "Bench High School"
BENCH_ACTOR = Actor("cli:bench", "admin")


def roster_files(classes: int, students: int, today: date) -> dict[str, str]:
    """A OneRoster 1.1 export of one high school: a homeroom per teacher, `students` each."""
    start, end = today - timedelta(days=60), today + timedelta(days=200)
    users = [
        "sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,"
        "givenName,familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,"
        "password"
    ]
    class_rows = [
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ]
    enrollments = [
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ]
    given = ["Ava", "Ben", "Cara", "Dev", "Eli", "Fay", "Gus", "Hana", "Ivo", "Jo", "Kai", "Lia"]
    family = ["Abbott", "Brook", "Cole", "Dunn", "Ellis", "Frost", "Gray", "Hale", "Irwin", "Judd"]
    for c in range(1, classes + 1):
        users.append(
            f"t-{c},,,true,org-bh,teacher,{teacher(c)},,Teacher,Number{c},,T-{c},"
            f"{teacher(c)}@bench.example,,,,,"
        )
        class_rows.append(
            f"c-{c},,,Homeroom {c},10,,HR{c},homeroom,Room {100 + c},org-bh,as-1,,,HR"
        )
        enrollments.append(f"et-{c},,,c-{c},org-bh,t-{c},teacher,true,,")
        for s in range(1, students + 1):
            n = (c - 1) * students + s
            name = f"{given[n % len(given)]},{family[(n // len(given)) % len(family)]}{n}"
            users.append(f"s-{n},,,true,org-bh,student,,,{name},,S-{n},,,,,10,")
            enrollments.append(f"es-{n},,,c-{c},org-bh,s-{n},student,false,,")
    return {
        "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\n"
        "org-d,,,Bench district,district,BD,\n"
        f"org-bh,,,{SCHOOL_NAME},school,{SCHOOL_ID},org-d\n",
        "academicSessions.csv": "sourcedId,status,dateLastModified,title,type,startDate,endDate,"
        f"parentSourcedId,schoolYear\nas-1,,,This year,schoolYear,{start},{end},,{end.year}\n",
        "users.csv": "\n".join(users) + "\n",
        "classes.csv": "\n".join(class_rows) + "\n",
        "enrollments.csv": "\n".join(enrollments) + "\n",
    }


def teacher(number: int) -> str:
    return f"teacher.{number:03d}"


def set_up(env: dict[str, str], database_url: str, key: str, classes: int, students: int):
    """The school, its teacher accounts with their tokens, and its roster imported."""
    steady_command(env, "orgs", "add", SCHOOL_ID, "--name", SCHOOL_NAME, "--kind", "school")
    settings = Settings(database_url=database_url, cipher_key=key)
    steady = open_steady(settings)
    try:
        parts = assemble(steady, settings)
        accounts: Accounts = parts.accounts
        tokens = []
        for c in range(1, classes + 1):
            accounts.add_user(
                teacher(c),
                display_name=f"Teacher {c}",
                organisation=SCHOOL_ID,
                roles=["responder"],
                positions=["teacher"],
                password=None,
                actor=BENCH_ACTOR,
            )
            tokens.append(accounts.issue_token(teacher(c), "bench", actor=BENCH_ACTOR))
        began = time.perf_counter()
        done = parts.rosters.import_files(
            roster_files(classes, students, steady.clock().date()),
            source="bench",
            actor=BENCH_ACTOR,
        )
        print(
            f"roster imported in {time.perf_counter() - began:.1f} s: {done.people_added} people",
            file=sys.stderr,
        )
    finally:
        steady.close()
    return tokens


@dataclass
class Run:
    """One run's latencies (seconds) and what went wrong."""

    loads: list[float] = field(default_factory=list)
    reports: list[float] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    took: float = 0.0  # from the first moment to the last answer


def moments(count: int, spread: float, seed: int) -> list[float]:
    """When each teacher starts, seconds after the first: even over `spread`, shuffled."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    step = spread / count if count else 0
    return [order[i] * step for i in range(count)]


def run_reports(port: int, tokens: list[str], ref: str, spread: float, seed: int) -> Run:
    result = Run()
    lock = threading.Lock()
    at = moments(len(tokens), spread, seed)
    ready = threading.Barrier(len(tokens) + 1)
    base = f"/api/v1/incidents/{ref}/accounting"

    def teach(i: int) -> None:
        client = Client(port, tokens[i])
        try:
            ready.wait()
            time.sleep(max(0.0, start + at[i] - time.perf_counter()))
            began = time.perf_counter()
            mine = client.json("GET", f"{base}/mine")
            class_id = mine["classes"][0]["class_id"]
            sheet = client.json("GET", f"{base}/classes/{class_id}")
            loaded = time.perf_counter()
            marks = [{"student": s["person"], "status": "accounted"} for s in sheet["students"]]
            status, body = client.request(
                "POST", f"{base}/classes/{class_id}/reports", {"marks": marks}
            )
            done = time.perf_counter()
            with lock:
                result.loads.append(loaded - began)
                result.reports.append(done - loaded)
                if status != 200:
                    result.refused.append(f"{status}: {body[:200]!r}")
        except Exception as error:  # a lost connection is a refusal too
            with lock:
                result.refused.append(f"{type(error).__name__}: {error}")
        finally:
            client.close()

    threads = [threading.Thread(target=teach, args=(i,), daemon=True) for i in range(len(tokens))]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.2
    ready.wait()
    for thread in threads:
        thread.join()
    result.took = time.perf_counter() - start
    return result


def check_picture(lead: Client, ref: str, classes: int, students: int) -> str:
    """What the commander sees, checked against what was sent: '' when it all adds up."""
    picture = lead.json("GET", f"/api/v1/incidents/{ref}/accounting")
    counts = picture["counts"]
    wrong = []
    if picture["classes_reported"] != classes:
        wrong.append(f"{picture['classes_reported']} of {classes} classes reported")
    if counts["accounted"] != classes * students or counts["unknown"] != 0:
        wrong.append(f"counts {counts}, expected {classes * students} accounted")
    per_class = [c["counts"]["accounted"] for c in picture["classes"]]
    if any(n != students for n in per_class):
        wrong.append("a class's count is not its students")
    return "; ".join(wrong)


class Baseline:
    """Durable transactions of `rows` inserts each, `writers` threads sharing as many
    connections as the server's pool holds at most (POSTGRES_POOL_SIZE 10 + MAX_OVERFLOW 20):
    PostgreSQL here takes 100 clients in all, so a connection each is not to be had."""

    def __init__(self, url: str, writers: int, rows: int, connections: int = 30) -> None:
        self.url, self.rows, self.writers = url, rows, writers
        self.topic, self.state = note_event()
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE TABLE bench_events (originator_id uuid NOT NULL, "
                "originator_version bigint NOT NULL, topic text, state bytea, "
                "notification_id bigserial, PRIMARY KEY (originator_id, originator_version))"
            )
            conn.execute("CREATE UNIQUE INDEX ON bench_events (notification_id)")
        self.connections = [psycopg.connect(url) for _ in range(connections)]
        self.pool: queue.Queue[psycopg.Connection] = queue.Queue()
        for conn in self.connections:
            self.pool.put(conn)

    def run(self, spread: float, seed: int) -> list[float]:
        at = moments(self.writers, spread, seed)
        took: list[float] = []
        lock = threading.Lock()
        ready = threading.Barrier(self.writers + 1)

        def write(i: int) -> None:
            ready.wait()
            time.sleep(max(0.0, start + at[i] - time.perf_counter()))
            began = time.perf_counter()
            conn = self.pool.get()  # waiting for a connection is part of the time
            try:
                stream = uuid.uuid4()
                with conn.cursor() as cursor:
                    cursor.executemany(
                        "INSERT INTO bench_events (originator_id, originator_version, topic, "
                        "state) VALUES (%s, %s, %s, %s)",
                        [(stream, v, self.topic, self.state) for v in range(1, self.rows + 1)],
                    )
                conn.commit()
            finally:
                self.pool.put(conn)
            with lock:
                took.append(time.perf_counter() - began)

        threads = [threading.Thread(target=write, args=(i,)) for i in range(len(at))]
        for thread in threads:
            thread.start()
        start = time.perf_counter() + 0.2
        ready.wait()
        for thread in threads:
            thread.join()
        return took

    def close(self) -> None:
        for conn in self.connections:
            conn.close()


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--spread", type=float, action="append", help="seconds (default 120, 0)")
    parser.add_argument("--classes", type=int, default=120)
    parser.add_argument("--students", type=int, default=25)
    parser.add_argument("--workers", type=int, help="steady serve --workers N")
    options = parser.parse_args()
    spreads = options.spread or [120.0, 0.0]
    print_conditions()
    print(
        f"{options.classes} classes of {options.students} students, runs {options.runs}, "
        f"spreads {', '.join(f'{s:g} s' for s in spreads)}, server workers "
        f"{options.workers or 1}"
    )
    rows: list[list[str]] = []
    failures: list[str] = []
    with temporary_databases("bench_accounting") as make, tempfile.TemporaryDirectory() as tmp:
        database_url = make("steady")
        key = generate_key()
        env = steady_env(database_url, key)
        token = lead_token(env)
        tokens = set_up(env, database_url, key, options.classes, options.students)
        baseline = Baseline(make("baseline"), options.classes, options.students + 1)
        server = Server(env, Path(tmp) / "server.log", workers=options.workers)
        server.start()
        try:
            server.wait_until_answering()
            server.wait_until_idle()
            lead = Client(server.port, token)
            results: dict[float, list[Run]] = {s: [] for s in spreads}
            base: dict[float, list[list[float]]] = {s: [] for s in spreads}
            for number in range(options.runs):
                for spread in spreads:
                    seed = number * 1000 + int(spread)
                    lead.reconnect()
                    opened = lead.json(
                        "POST",
                        "/api/v1/incidents",
                        {
                            "title": f"Lockdown {number} ({spread:g} s)",
                            "kind": "lockdown",
                            "severity": 1,
                            "schools": [SCHOOL_NAME],
                        },
                        expect=201,
                    )
                    ref = opened["reference"]
                    run = run_reports(server.port, tokens, ref, spread, seed)
                    lead.reconnect()
                    wrong = check_picture(lead, ref, options.classes, options.students)
                    if wrong:
                        failures.append(f"{ref}: {wrong}")
                    failures += [f"{ref}: {r}" for r in run.refused]
                    results[spread].append(run)
                    base[spread].append(baseline.run(spread, seed))
                    print(
                        f"  run {number + 1}, spread {spread:g} s: {ref}, "
                        f"{len(run.reports)} reports in {run.took:.1f} s, report p50 "
                        f"{ms(percentile(run.reports, 0.5))} ms p99 "
                        f"{ms(percentile(run.reports, 0.99))} ms, refused {len(run.refused)}"
                        f"{'; ' + wrong if wrong else ''}",
                        file=sys.stderr,
                    )
            lead.close()
        finally:
            server.stop()
            baseline.close()
        for spread in spreads:
            runs = results[spread]

            def med(samples: list[list[float]], fraction: float) -> str:
                return ms(median_of([percentile(s, fraction) for s in samples]))

            reports = [r.reports for r in runs]
            loads = [r.loads for r in runs]
            p99 = median_of([percentile(s, 0.99) for s in reports]) * 1000
            rows.append(
                [
                    f"reports, spread {spread:g} s",
                    med(reports, 0.5),
                    med(reports, 0.99),
                    ms(max(max(s) for s in reports)),
                    str(sum(len(r.refused) for r in runs)),
                    "yes" if p99 <= TARGET_P99_MS else "NO",
                ]
            )
            rows.append(
                [
                    f"  loading the class, spread {spread:g} s",
                    med(loads, 0.5),
                    med(loads, 0.99),
                    ms(max(max(s) for s in loads)),
                    "",
                    "",
                ]
            )
            rows.append(
                [
                    f"  baseline: 26-row INSERT txn, spread {spread:g} s",
                    med(base[spread], 0.5),
                    med(base[spread], 0.99),
                    ms(max(max(s) for s in base[spread])),
                    "",
                    "",
                ]
            )
    print()
    print_table(
        ["", "p50 ms", "p99 ms", "max ms", "refused", f"p99 <= {TARGET_P99_MS:.0f} ms"], rows
    )
    if failures:
        print("\nFAILED:")
        for failure in failures[:20]:
            print(f"  {failure}")
        sys.exit(1)
    print("\nEvery report was stored and the commander's counts match what was sent.")


if __name__ == "__main__":
    main()
