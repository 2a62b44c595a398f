"""Commands through the HTTP API of a real server: many responders adding notes at once.

    .venv/bin/python bench/commands.py [--seconds 10] [--runs 3] [--workers N] [--only TEXT]
    .venv/bin/python bench/commands.py --seconds 1 --runs 1      # a quick check that it works

Needs the PostgreSQL server on 127.0.0.1:5432 (user postgres, trust auth, database `test`;
override with STEADY_BENCH_PG_HOST/PORT/USER/ADMIN_DB). It makes its own databases and drops
them at the end. It starts `steady serve` (with --workers N when given and this checkout's
`steady serve` accepts it) on a fresh database with event state encrypted at rest, as deployed,
and no demo data: a district and a crisis lead are added, and the lead's API token issued, with
the `steady orgs` and `steady users` commands.

Writers are threads in this process, each with its own keep-alive HTTP/1.1 connection (the
standard library's client: lighter than httpx, so it takes less of the machine's cores from the
server it measures). Each sends `POST /api/v1/incidents/REF/notes` as the lead, the next as soon
as the last is answered, for --seconds; incidents are opened through the API before each round
(not timed), so every round starts from the same depth. Rows:

- (a) 16 writers, ONE incident: a crisis team at work on one incident.
- (b) 16 writers, an incident EACH: the same load spread over 16 incidents.
- (c) 100 writers, ONE incident: a lockdown, every teacher reporting at once.
- (d) plain INSERTs, 16 threads: bench/baseline.py's durable single-row INSERT+COMMIT into a
  table of the events table's shape (in another database on the same PostgreSQL), with no web
  server, no library and no rules: what the hardware does. Every ratio is to this row.

Columns: commands/s counts only commands answered 2xx, per second of the round; p50, p99 and
max are the latencies of every request, answered 2xx or not (a refusal keeps its sender waiting
too); "refused" counts every other answer by status (422 "changing too fast", 409, 503 ...) and
every failed connection; "server ms/cmd" is the server's CPU time (all its processes, its
background work included) during the round divided by the commands it completed, "client
ms/cmd" this process's (the writers') CPU time likewise: if it nears the server's, the clients
are taking the cores. After each round every acknowledged note is looked for in its incident
(GET): one missing stops the run.

One warm-up round (half as long) per row, then --runs rounds, the rows taken in turn in each
round so all rows meet the same machine; the table shows the MEDIAN over the rounds of the rate,
p50 and p99, the largest max, and refusals summed over the rounds.

Targets (printed beside the figures): (a) and (b) at least 0.25x the INSERT rate; p99 at most
150 ms on one incident, (a) and (c); nothing refused in any row.
"""

import argparse
import http.client
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from baseline import PlainInserts, note_event
from measuring import (
    Round,
    median_of,
    print_conditions,
    print_table,
    run_timed,
    temporary_databases,
)
from serving import Client, Server, lead_token, serve_accepts_workers, steady_env

from service.store.keys import generate_key

TARGET_RATIO = 0.25
TARGET_P99_MS = 150.0


class NoteWriters:
    """`writers` keep-alive clients adding notes, all to one incident or each to its own."""

    def __init__(self, port: int, token: str, writers: int, *, shared: bool) -> None:
        self.port, self.token, self.shared = port, token, shared
        self.clients = [Client(port, token) for _ in range(writers)]
        self.round = 0
        self.first_refusal: dict[str, str] = {}  # status -> the first body that came with it

    def prepare(self) -> None:
        """Fresh incidents for the round, opened through the API."""
        self.round += 1
        opener = Client(self.port, self.token)
        count = 1 if self.shared else len(self.clients)
        opened = [opener.open_incident() for _ in range(count)]
        opener.close()
        for client in self.clients:
            client.reconnect()
        self.refs = [opened[0 if self.shared else w] for w in range(len(self.clients))]
        self.acknowledged: list[list[str]] = [[] for _ in self.clients]

    def op(self, writer: int) -> str | None:
        text = f"Room {100 + writer}: all accounted for (round {self.round}, note " \
               f"{writer}.{len(self.acknowledged[writer])})"  # fmt: skip
        try:
            status, body = self.clients[writer].request(
                "POST", f"/api/v1/incidents/{self.refs[writer]}/notes", {"text": text}
            )
        except (OSError, http.client.HTTPException) as error:  # counted; it reconnects next time
            return type(error).__name__
        if 200 <= status < 300:
            self.acknowledged[writer].append(text)
            return None
        self.first_refusal.setdefault(str(status), body.decode(errors="replace")[:200])
        return str(status)

    def check(self) -> None:
        """Every acknowledged note is in its incident. A server with several workers (or read
        models) may show a note a moment after another worker acknowledged it: a few seconds'
        grace before a missing note stops the run."""
        reader = Client(self.port, self.token)
        by_ref: dict[str, set[str]] = {}
        for ref, texts in zip(self.refs, self.acknowledged, strict=True):
            by_ref.setdefault(ref, set()).update(texts)
        deadline = time.monotonic() + 5
        for ref, texts in by_ref.items():
            while True:
                missing = texts - note_texts(reader, ref)
                if not missing:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{len(missing)} acknowledged notes are not in {ref}")
                time.sleep(0.1)
        reader.close()

    def close(self) -> None:
        for client in self.clients:
            client.close()


class Inserts:
    """bench/baseline.py's plain INSERTs, in the same shape as the note writers."""

    def __init__(self, url: str, writers: int) -> None:
        self.plain = PlainInserts(url, *note_event())
        self.writers = writers

    def prepare(self) -> None:
        self.plain.prepare(self.writers, expected_per_writer=0)

    def op(self, writer: int) -> None:
        self.plain.op(writer)

    def check(self) -> None:
        pass

    def close(self) -> None:
        self.plain.close()


@dataclass
class Row:
    name: str
    writers: int
    target: NoteWriters | Inserts
    server_cpu: Callable[[], float] | None  # None: nothing of the server's is measured
    rounds: list[Round] = field(default_factory=list)
    cpu_per_command: list[float] = field(default_factory=list)
    client_cpu_per_command: list[float] = field(default_factory=list)

    def run(self, seconds: float) -> Round:
        self.target.prepare()
        cpu_before = self.server_cpu() if self.server_cpu else 0.0
        client_before = time.process_time()
        measured = run_timed(self.writers, seconds, self.target.op)
        if measured.succeeded:
            client = time.process_time() - client_before
            self.client_cpu_per_command.append(client / measured.succeeded * 1000)
        if self.server_cpu and measured.succeeded:
            used = self.server_cpu() - cpu_before
            self.cpu_per_command.append(used / measured.succeeded * 1000)
        self.target.check()
        return measured

    def forget(self) -> None:
        """Drops what the warm-up round recorded."""
        self.cpu_per_command.clear()
        self.client_cpu_per_command.clear()
        if isinstance(self.target, NoteWriters):
            self.target.first_refusal.clear()

    @property
    def rate(self) -> float:
        return median_of([r.rate for r in self.rounds])

    def p(self, fraction: float) -> float:
        return median_of([r.percentile_ms(fraction) for r in self.rounds])

    @property
    def refused(self) -> Counter[str]:
        return sum((r.refusals for r in self.rounds), Counter())


def note_texts(reader: Client, ref: str) -> set[str]:
    """Every note of the incident, a page at a time (the incident itself shows the latest)."""
    texts: set[str] = set()
    offset = 0
    while True:
        page = reader.json("GET", f"/api/v1/incidents/{ref}/notes?offset={offset}&limit=500")
        texts.update(note["text"] for note in page["notes"])
        offset += len(page["notes"])
        if not page["notes"] or offset >= page["total"]:
            return texts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of a round")
    parser.add_argument("--runs", type=int, default=3, help="measured rounds per row")
    parser.add_argument("--workers", type=int, help="passed on to `steady serve --workers`")
    parser.add_argument("--only", default="", help="only rows whose name has this (and (d))")
    args = parser.parse_args(argv)
    if args.workers and not serve_accepts_workers():
        parser.error("this checkout's `steady serve` has no --workers option; run without it")

    print_conditions()
    workers = f", steady serve --workers {args.workers}" if args.workers else ""
    print(f"{args.runs} rounds of {args.seconds:g}s per row (+ a warm-up); medians{workers}\n",
          flush=True)  # fmt: skip
    with (
        temporary_databases("steady_commands") as new_database,
        tempfile.TemporaryDirectory() as tmp,
    ):
        env = steady_env(new_database("serve"), generate_key())
        token = lead_token(env)
        server = Server(env, Path(tmp) / "serve.log", workers=args.workers)
        server.start()
        rows: list[Row] = []
        try:
            server.wait_until_answering()
            server.wait_until_idle()
            port, cpu = server.port, server.cpu_seconds
            rows = [
                Row("(a) 16 writers, one incident", 16,
                    NoteWriters(port, token, 16, shared=True), cpu),
                Row("(b) 16 writers, an incident each", 16,
                    NoteWriters(port, token, 16, shared=False), cpu),
                Row("(c) 100 writers, one incident", 100,
                    NoteWriters(port, token, 100, shared=True), cpu),
                Row("(d) plain INSERTs, 16 threads", 16, Inserts(new_database("plain"), 16), None),
            ]  # fmt: skip
            rows = [r for r in rows if args.only in r.name or r.name.startswith("(d)")]
            for row in rows:
                print(f"  warming up {row.name}...", file=sys.stderr)
                row.run(args.seconds / 2)
                row.forget()
            for run in range(args.runs):
                for row in rows:
                    print(f"  round {run + 1}: {row.name}...", file=sys.stderr)
                    row.rounds.append(row.run(args.seconds))
        except BaseException:
            print(server.log_tail(), file=sys.stderr)
            raise
        finally:
            for row in rows:
                row.target.close()
            server.stop()
    report(rows)


def report(rows: list[Row]) -> None:
    inserts = next(r for r in rows if r.name.startswith("(d)")).rate
    table = [
        [
            r.name,
            f"{r.rate:,.0f}",
            f"{min(x.rate for x in r.rounds):,.0f}-{max(x.rate for x in r.rounds):,.0f}",
            f"{r.rate / inserts:.3f}",
            f"{r.p(0.5):,.1f}",
            f"{r.p(0.99):,.1f}",
            f"{max(x.percentile_ms(1.0) for x in r.rounds):,.1f}",
            f"{median_of(r.cpu_per_command):.1f}" if r.cpu_per_command else "",
            f"{median_of(r.client_cpu_per_command):.2f}",
            ", ".join(f"{n} x {status}" for status, n in sorted(r.refused.items())) or "none",
        ]
        for r in rows
    ]
    headers = ["row", "commands/s", "range", "x INSERT", "p50 ms", "p99 ms", "max ms",
               "server ms/cmd", "client ms/cmd", "refused"]  # fmt: skip
    print_table(headers, table)
    for r in rows:
        if isinstance(r.target, NoteWriters):
            for status, body in sorted(r.target.first_refusal.items()):
                print(f"  {r.name}: {status} said {json.dumps(body)}")
    print()
    for r in rows:
        if r.name.startswith(("(a)", "(b)")):
            verdict(f"{r.name}: at least {TARGET_RATIO}x the INSERT rate",
                    f"{r.rate / inserts:.3f}x", r.rate >= TARGET_RATIO * inserts)  # fmt: skip
    for r in rows:
        if "one incident" in r.name:
            verdict(f"{r.name}: p99 at most {TARGET_P99_MS:.0f} ms", f"{r.p(0.99):,.0f} ms",
                    r.p(0.99) <= TARGET_P99_MS)  # fmt: skip
    for r in rows:
        if isinstance(r.target, NoteWriters):
            refused = sum(r.refused.values())
            verdict(f"{r.name}: nothing refused", f"{refused} refused", refused == 0)


def verdict(target: str, figure: str, met: bool) -> None:
    print(f"Target {target}: {figure}, {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"\n({time.perf_counter() - started:.0f}s in all)", file=sys.stderr)
