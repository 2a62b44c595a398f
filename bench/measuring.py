"""What the benchmarks share: throwaway databases, timed rounds, medians and a plain table."""

import math
import os
import statistics
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

PG_HOST = os.environ.get("STEADY_BENCH_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("STEADY_BENCH_PG_PORT", "5432"))
PG_USER = os.environ.get("STEADY_BENCH_PG_USER", "postgres")
PG_ADMIN_DB = os.environ.get("STEADY_BENCH_PG_ADMIN_DB", "test")


def pg_url(database: str) -> str:
    return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"


@contextmanager
def temporary_databases(prefix: str) -> Iterator[Callable[[str], str]]:
    """Yields make(name) -> URL of a new, empty database; drops them all at the end."""
    token = uuid.uuid4().hex[:8]
    made: list[str] = []

    def make(name: str) -> str:
        database = f"{prefix}_{token}_{len(made)}_{name}"
        with psycopg.connect(pg_url(PG_ADMIN_DB), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{database}"')
        made.append(database)
        return pg_url(database)

    try:
        yield make
    finally:
        with psycopg.connect(pg_url(PG_ADMIN_DB), autocommit=True) as admin:
            for database in made:
                admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def server_settings() -> dict[str, str]:
    names = ("server_version", "fsync", "synchronous_commit", "wal_sync_method", "commit_delay")
    with psycopg.connect(pg_url(PG_ADMIN_DB)) as conn:
        return {name: str(conn.execute(f"SHOW {name}").fetchone()[0]) for name in names}


def print_conditions() -> None:
    """What a reader needs to compare two runs: the server's durability settings, the machine's
    cores and load, and the code measured."""
    settings = server_settings()
    print("PostgreSQL:", ", ".join(f"{k}={v}" for k, v in settings.items()))
    if settings["fsync"] != "on" or settings["synchronous_commit"] != "on":
        print("WARNING: commits are not durable on this server; the figures flatter it")
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"machine: {os.cpu_count()} cores, load average {load} (1, 5, 15 min); code: {commit()}")


def commit() -> str:
    """The checkout's branch and commit, marked + when it has uncommitted changes."""
    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
        return done.stdout.strip()

    dirty = "+" if git("status", "--porcelain", "--untracked-files=no") else ""
    return (
        f"{git('rev-parse', '--abbrev-ref', 'HEAD')} {git('rev-parse', '--short', 'HEAD')}{dirty}"
    )


def run_writers(writers: int, seconds: float, op: Callable[[int], None]) -> float:
    """Runs op(writer) in a loop on `writers` threads for `seconds`; returns operations/s."""
    return run_timed(writers, seconds, op).rate


@dataclass
class Round:
    """One timed round: how long it ran, each operation's latency and what each came to."""

    elapsed: float  # seconds, including the operations in flight when time was up
    latencies: list[float]  # seconds, one per operation, successful or not
    refusals: Counter[str]  # what each unsuccessful operation came to (e.g. "422"), counted

    @property
    def succeeded(self) -> int:
        return len(self.latencies) - sum(self.refusals.values())

    @property
    def rate(self) -> float:
        """Successful operations a second."""
        return self.succeeded / self.elapsed

    def percentile_ms(self, fraction: float) -> float:
        return percentile(self.latencies, fraction) * 1000


def percentile(samples: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile: the smallest sample with `fraction` of them at or below."""
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def run_timed(writers: int, seconds: float, op: Callable[[int], str | None]) -> Round:
    """Runs op(writer) in a loop on `writers` threads for `seconds`, timing each call. op returns
    None when it succeeded, else a short label for what it came to (an HTTP status, say); an
    exception it raises stops the round and is raised here."""
    latencies: list[list[float]] = [[] for _ in range(writers)]
    refusals: list[Counter[str]] = [Counter() for _ in range(writers)]
    errors: list[BaseException] = []
    start = threading.Barrier(writers + 1)
    stop = threading.Event()

    def loop(writer: int) -> None:
        mine, refused = latencies[writer], refusals[writer]
        start.wait()
        try:
            while not stop.is_set():
                began = time.perf_counter()
                outcome = op(writer)
                mine.append(time.perf_counter() - began)
                if outcome is not None:
                    refused[outcome] += 1
        except BaseException as error:
            errors.append(error)
            stop.set()

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in range(writers)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    stop.wait(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began  # includes finishing the operations in flight
    if errors:
        raise errors[0]
    return Round(elapsed, [x for mine in latencies for x in mine], sum(refusals, Counter()))


@dataclass
class Result:
    name: str
    writers: int
    samples: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)


def median_of(samples: Sequence[float]) -> float:
    return statistics.median(samples)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[str]], *, left: int = 1) -> None:
    """Columns before `left` are text, aligned left; the rest are figures, aligned right."""
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))
