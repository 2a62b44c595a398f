"""bench/replay.py's rows through the HTTP API of a real `steady serve`: a command and a read on
a long incident beside a short one, and what a restart costs (see bench/replay.py's docstring
for what each row measures and its targets)."""

import random
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from building import build_incident
from measuring import median_of, percentile
from serving import Client, Server, lead_token, steady_env

from service.bootstrap import open_steady
from service.config import Settings
from service.store.keys import generate_key

Row = tuple[str, str, float, float | None]  # store, what, median wall ms, median server CPU ms


def build(url: str, key: str, incidents: int, events: int) -> list[str]:
    """`incidents` incidents of `events` events each, written as the server will read them."""
    began = time.perf_counter()
    steady = open_steady(Settings(database_url=url, cipher_key=key))
    try:
        refs = [build_incident(steady, events) for _ in range(incidents)]
    finally:
        steady.close()
    took = time.perf_counter() - began
    print(f"  built {incidents} x {events:,} events in {took:.1f}s", file=sys.stderr)
    return refs


def timed_request(server: Server, call: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock ms of `runs` calls after a warm-up call, and the server's mean CPU ms
    per call (the mean, since /proc counts in clock ticks of 10 ms: coarse for one request)."""
    call()
    wall = []
    cpu_before = server.cpu_seconds()
    for _ in range(runs):
        began = time.perf_counter()
        call()
        wall.append((time.perf_counter() - began) * 1000)
    return median_of(wall), (server.cpu_seconds() - cpu_before) * 1000 / runs


def measure_api(url: str, long: int, short: int, runs: int, tmp: Path) -> list[Row]:
    """POST a note and GET the incident, on a `long` and a `short` incident, through the API."""
    key = generate_key()
    env = steady_env(url, key)
    token = lead_token(env)
    long_ref, short_ref = build(url, key, 1, long) + build(url, key, 1, short)
    server = Server(env, tmp / "serve-api.log")
    server.start()
    try:
        server.wait_until_answering()
        server.wait_until_idle()  # its start-up catch-up done
        client = Client(server.port, token)
        rows = []
        for what, method in (("add a note (POST)", "POST"), ("the incident (GET)", "GET")):
            for ref, events in ((short_ref, short), (long_ref, long)):
                path = f"/api/v1/incidents/{ref}" + ("/notes" if method == "POST" else "")
                body = {"text": "Families called back"} if method == "POST" else None
                expect = 201 if method == "POST" else 200
                call = partial(client.json, method, path, body, expect=expect)
                ms, cpu = timed_request(server, call, runs)
                rows.append(("pg, API", f"{what}, {events:,} events", ms, cpu))
        client.close()
        return rows
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()


def answered(client: Client, path: str, timeout: float = 120) -> int:
    """GETs `path` until it is answered 200 (a server may ask to be asked again while it
    starts); returns how many other answers came first."""
    deadline = time.monotonic() + timeout
    others = 0
    while True:
        status, content = client.request("GET", path)
        if status == 200:
            return others
        if time.monotonic() > deadline:
            raise RuntimeError(f"GET {path} still answered {status}: {content[:300]!r}")
        others += 1
        time.sleep(0.01)


def measure_cold_start(
    url: str, incidents: int, events: int, sample: int, runs: int, tmp: Path
) -> list[Row]:
    """Restarts `steady serve` over `incidents` incidents of `events` events; times, from the
    start of the process, its first answer, then the first GET of each of `sample` incidents
    (one client, one after another, in a shuffled order), then a second GET of each."""
    key = generate_key()
    env = steady_env(url, key)
    token = lead_token(env)
    refs = build(url, key, incidents, events)
    chosen = random.Random(12).sample(refs, min(sample, len(refs)))
    server = Server(env, tmp / "serve-cold.log")
    # One start first, untimed, as after the upgrade that wrote these events: what it derives
    # and stores once (stored timelines) is then in place, as it is for every later restart.
    server.start()
    server.wait_until_answering()
    server.wait_until_idle(timeout=300)
    server.stop()
    answering, first_all, each_first, each_second, cpu_all = [], [], [], [], []
    not_yet = 0  # answers other than 200 before an incident was answered
    try:
        for _ in range(runs):
            began = server.start()
            answering.append(server.wait_until_answering() - began)
            client = Client(server.port, token)
            cpu_before = server.cpu_seconds()
            firsts = []
            for ref in chosen:
                asked = time.perf_counter()
                not_yet += answered(client, f"/api/v1/incidents/{ref}")
                firsts.append(time.perf_counter() - asked)
            first_all.append(time.perf_counter() - began)
            cpu_all.append(server.cpu_seconds() - cpu_before)
            each_first.append(firsts)
            seconds = []
            for ref in chosen:
                asked = time.perf_counter()
                client.json("GET", f"/api/v1/incidents/{ref}")
                seconds.append(time.perf_counter() - asked)
            each_second.append(seconds)
            client.close()
            server.stop()
    except BaseException:
        print(server.log_tail(), file=sys.stderr)
        raise
    finally:
        server.stop()
    n = len(chosen)
    if not_yet:
        print(f"  ({not_yet} answers other than 200 came before the first GETs were answered)")

    def ms(values: list[float]) -> float:
        return median_of(values) * 1000

    label = f"{incidents} x {events:,} events"
    return [
        ("pg, restart", f"{label}: first answer (GET /signin) after start", ms(answering), None),
        ("pg, restart", f"{label}: {n} incidents each answered once (from start)", ms(first_all),
         ms(cpu_all)),
        ("pg, restart", f"{label}: first GET of an incident, median", ms(
            [median_of(f) for f in each_first]), None),
        ("pg, restart", f"{label}: first GET of an incident, p99", ms(
            [percentile(f, 0.99) for f in each_first]), None),
        ("pg, restart", f"{label}: second GET of an incident, median", ms(
            [median_of(s) for s in each_second]), None),
    ]  # fmt: skip
