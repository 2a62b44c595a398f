"""Replay cost: loading an incident of 10,000 events and folding them into its current state.

    .venv/bin/python bench/replay.py [--events 10000] [--runs 7] [--profile]
        [--parts in-process api restart] [--short-events 100]
        [--restart-incidents 100] [--restart-events 1000] [--restart-sample 100] [--restart-runs 3]
    .venv/bin/python bench/replay.py --parts api restart --events 1000 --runs 3 \
        --restart-incidents 10 --restart-events 200 --restart-runs 1   # a quick check

Needs the PostgreSQL server on 127.0.0.1:5432 (see bench/measuring.py for the variables that move
it); creates temporary databases and a temporary SQLite file and removes them at the end. The
parts: in-process (the rows below on SQLite and PostgreSQL, in this process), api and restart
(through a real `steady serve` on PostgreSQL, below); all three unless --parts says otherwise.

The incident is built as a real one grows (bench/building.py): opened, a playbook applied (its
tasks), then notes, assignments and task status changes (in progress, blocked, done, reopened)
until it holds --events events. It is written many events per save, which is quick; how it was
written does not change how it is read.

Rows, each the MEDIAN of --runs timed runs after one warm-up run, in milliseconds of wall-clock
time (and of this process's CPU time, steadier on a shared machine):

- incident(ref), full replay: `Steady.incident(ref)` as deployed: every event
  read from the store, decrypted, decoded and folded into the incident.
- incident(ref), from the aggregate cache: with eventsourcing's cache on (Steady leaves it off),
  where a recently used incident is only brought up to date (one query for newer events) and
  copied.
- incident_at_version(ref, N): reads and folds only the first N events.
- timeline, telling only: service.timelines.narration.narrate over events already read and decoded.
- storing the told timeline: the projector (service.timelines.projection) telling every event
  of the incident into the stored timelines, as after an upgrade; a server does this once, in
  the background, and then a batch at a time as events arrive.
- timeline as JSON: `service.timelines.reading.timeline()` encoded with msgspec (as Litestar
  encodes the API's answer), as a server reads it (a projector follows the log in the web
  app, as on a server):
  - told from the stream: nothing stored or cached, every event read, decoded and told (what
    every first read in a process cost before timelines were stored);
  - cold (stored): nothing cached in the process (just started); the stored timeline is read;
  - stored (+WARM_EVENTS elsewhere): another Steady instance on the same database has just
    appended WARM_EVENTS events; the read waits for this process's projector to store them
    (woken by NOTIFY on PostgreSQL, by its 1 s poll on SQLite), then reads the stored timeline;
  - cached (+WARM_EVENTS elsewhere): the process's timeline cache holds the incident (it told
    it itself) and tells only the new events.
- timeline as JSON through the API, and as the HTML page: GET /api/v1/incidents/REF/timeline
  and GET /incidents/REF/timeline through the web app as an auditor, as above.
- the stages of a full replay: read, decode (decrypt and parse) and fold (eventsourcing's
  project_aggregate beside service.store.folding.fold, which Steady uses).

Through the HTTP API of a real server (bench/replay_served.py; `steady serve` on a fresh
PostgreSQL database, state encrypted at rest, no demo data; a crisis lead's API token issued with
`steady users`; one keep-alive client in this process). "cpu ms" on these rows is the server's
CPU time (all its processes, read from /proc) per call, the mean over the timed runs; it counts
what a call sets off in the background (the log follower's read models, the stored timelines)
as far as that ran before the next call began:

- pg, API / add a note (POST), N events: POST /api/v1/incidents/REF/notes on an incident of
  --events events and on one of --short-events (both built before the server starts, then the
  server left to finish its start-up work until it idles); each run adds one note, so the
  incident grows by --runs + 1 events.
- pg, API / the incident (GET), N events: GET /api/v1/incidents/REF on the same two.
- pg, restart: --restart-incidents incidents of --restart-events events each, then `steady serve`
  started once untimed (what it derives and stores once, stored timelines, is then in place, as
  for any restart after the first) and stopped; then --restart-runs times: a new process, timed
  from just before it is started: its first answer (GET /signin, polled every 20 ms); the time
  until each of --restart-sample incidents (a fixed shuffled sample) has been answered 200 once
  by GET /api/v1/incidents/REF, asked one after another by one client (asked again every 10 ms
  while the answer is another; those are counted and printed), with the server's CPU time for
  those GETs; the median and p99 of those first GETs; the median of a second GET of each.
  Medians over the restarts. PostgreSQL's and the OS's caches are warm: a restart of the
  service, not of the machine.

Targets on PostgreSQL: a full replay under 150 ms; the timeline as JSON under 200 ms (the cold,
stored and cached figures are judged). Through the API: adding a note to the --events incident
within 1.5x of the same on the --short-events incident, and the GET within 2x (a command's and a
read's cost must not grow with the incident's length). The restart has no target yet: its
figures show what a restart costs.
--profile prints cProfile's top functions for one incident(ref), then for one cold timeline, on
PostgreSQL.
"""

import argparse
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
from building import LEAD, build_incident
from eventsourcing.application import project_aggregate
from litestar.testing import TestClient
from measuring import median_of, print_conditions, print_table, temporary_databases
from replay_served import measure_api, measure_cold_start

from domain.people import Actor
from playbooks.library import Library
from service.bootstrap import Parts, assemble
from service.config import Settings
from service.incidents.application import Steady
from service.store.folding import fold
from service.store.keys import cipher_env, generate_key
from service.timelines.narration import narrate
from service.timelines.projection import TimelineProjector
from service.timelines.reading import Timelines
from web.app import create_app_from

WARM_EVENTS = 3  # appended by another instance before each warm run
Row = tuple[str, str, float, float | None]  # store, what, median wall ms, median CPU ms
PARTS = ("in-process", "api", "restart")

# Measured as deployed: event state encrypted at rest.
AT_REST = cipher_env(generate_key())


def timed(
    fn: Callable[[], Any], runs: int, setup: Callable[[], Any] | None = None
) -> tuple[float, float]:
    """Median wall-clock and median CPU milliseconds of `runs` calls, after a warm-up call;
    `setup`, if given, runs untimed before each call.

    CPU time is this process's only: on a shared machine it moves less than wall time does."""
    wall, cpu = [], []
    for run in range(runs + 1):
        if setup:
            setup()
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        if run:  # the first call warms up
            wall.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
    return median_of(wall), median_of(cpu)


Timer = Callable[[], Any] | tuple[Callable[[], Any], Callable[[], Any]]  # fn, or (setup, fn)


def measure(store: str, url: str, events: int, runs: int) -> list[Row]:
    env = Settings(database_url=url).eventsourcing_env() | AT_REST
    app = Steady(env, playbooks=Library.load())  # as deployed
    cached = Steady({**env, "AGGREGATE_CACHE_MAXSIZE": "1000"}, playbooks=app.playbooks)
    other = Steady(env, playbooks=app.playbooks)  # another instance writing to the same store
    zone = ZoneInfo("America/Chicago")
    with ExitStack() as closing:
        closing.callback(app.close)
        closing.callback(cached.close)
        closing.callback(other.close)
        ref = build_incident(app, events)
        incident_id = app.find(ref)
        half = events // 2
        stored_events = list(app.recorder.select_events(incident_id))
        decoded = [app.mapper.to_domain_event(s) for s in stored_events]
        assert vars(fold(None, decoded)) == vars(project_aggregate(None, decoded))
        feed_events = app.incident_events(ref)
        # The web app's parts: its projector stores the timelines the reads below wait for.
        parts = assemble(app, Settings(database_url=url, cipher_key=AT_REST["CIPHER_KEY"]))
        timelines = parts.timelines
        cache = timelines.cache
        stored = timelines.stored(zone.key)
        assert stored is not None
        projector = TimelineProjector(app, stored)

        def timeline_json() -> bytes:
            return msgspec.json.encode({"entries": timelines.timeline(ref, zone=zone)})

        def told_from_stream() -> bytes:
            return msgspec.json.encode({"entries": cache.told(app, ref, zone).entries})

        def append_elsewhere() -> None:
            for _ in range(WARM_EVENTS):
                other.add_note(ref, "Families called back", actor=LEAD)

        def held_then_append_elsewhere() -> None:
            cache.told(app, ref, zone)  # the cache holds the incident, then 3 more arrive
            append_elsewhere()

        def forget_then_append_elsewhere() -> None:
            cache.clear()  # only the stored timeline, kept up by the web app's projector
            append_elsewhere()

        # The web app starts a projector following the log, as a server does.
        get_json, get_page = web_timers(parts, ref, closing)
        cold, stored_later = cache.clear, forget_then_append_elsewhere
        cached_later = held_then_append_elsewhere
        plus = f"+{WARM_EVENTS} events"
        rows: list[tuple[str, Timer]] = [
            ("incident(ref), full replay", lambda: app.incident(ref)),
            ("incident(ref), from the aggregate cache", lambda: cached.incident(ref)),
            (f"incident_at_version(ref, {half})", lambda: app.incident_at_version(ref, half)),
            ("timeline, telling only (narrate)", lambda: narrate(feed_events, zone)),
            ("storing the told timeline, every event", (stored.forget, projector.catch_up)),
            ("timeline as JSON, told from the stream", (cold, told_from_stream)),
            ("timeline as JSON, cold (stored)", (cold, timeline_json)),
            (f"timeline as JSON, stored ({plus} elsewhere)", (stored_later, timeline_json)),
            (
                f"timeline as JSON, cached ({plus} elsewhere)",
                (cached_later, timeline_json),
            ),
            ("timeline as JSON through the API, cold (stored)", (cold, get_json)),
            (f"timeline as JSON through the API, stored ({plus})", (stored_later, get_json)),
            ("timeline as the HTML page, cold (stored)", (cold, get_page)),
            (f"timeline as the HTML page, stored ({plus})", (stored_later, get_page)),
            ("read, select_events", lambda: app.recorder.select_events(incident_id)),
            ("decode", lambda: [app.mapper.to_domain_event(s) for s in stored_events]),
            ("fold, project_aggregate (the library's)", lambda: project_aggregate(None, decoded)),
            ("fold, service.store.folding.fold", lambda: fold(None, decoded)),
        ]
        measured = []
        for what, timer in rows:
            setup, fn = timer if isinstance(timer, tuple) else (None, timer)
            measured.append((store, what, *timed(fn, runs, setup)))
        # Every note appended elsewhere is in the timeline this process reads, stored or told.
        assert timelines.timeline(ref, zone=zone) == narrate(app.incident_events(ref), zone)
        cache.clear()
        assert timelines.timeline(ref, zone=zone) == narrate(app.incident_events(ref), zone)
        return measured


def web_timers(
    parts: Parts, ref: str, closing: ExitStack
) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """GET the timeline as JSON and as the HTML page through the web app, as an auditor with an
    API token. The client is closed (and the app's live feed stopped) when `closing` closes."""
    accounts = parts.accounts
    bench_actor = Actor("bench", "admin")
    accounts.add_organisation("bench-district", "Bench district", "district", actor=bench_actor)
    accounts.add_user(
        "bench.auditor", display_name="Bench auditor", organisation="bench-district",
        roles=["auditor"], password=None, actor=bench_actor,
    )  # fmt: skip
    token = accounts.issue_token("bench.auditor", "bench", actor=bench_actor)
    client = closing.enter_context(TestClient(create_app_from(parts)))
    headers = {"Authorization": f"Bearer {token}"}

    def get(path: str) -> bytes:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, response.status_code
        return response.content

    return (
        lambda: get(f"/api/v1/incidents/{ref}/timeline"),
        lambda: get(f"/incidents/{ref}/timeline"),
    )


def profile(app: Steady, events: int) -> None:
    """cProfile's top functions for one full replay, then for one cold timeline."""
    ref = build_incident(app, events)
    zone = ZoneInfo("America/Chicago")
    timelines = Timelines(app)
    for what, fn in (
        ("incident(ref)", lambda: app.incident(ref)),
        ("timeline, cold", lambda: timelines.timeline(ref, zone=zone)),
    ):
        fn()
        timelines.cache.clear()
        profiler = cProfile.Profile()
        profiler.enable()
        fn()
        profiler.disable()
        print(f"\n-- {what} --")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("tottime").print_stats(20)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000, help="events in the long incident")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per row")
    parser.add_argument("--profile", action="store_true", help="cProfile a replay, a timeline")
    parser.add_argument(
        "--parts", nargs="+", choices=PARTS, default=list(PARTS), help="what to measure (all)"
    )
    parser.add_argument("--short-events", type=int, default=100, help="the API's short incident")
    parser.add_argument("--restart-incidents", type=int, default=100)
    parser.add_argument("--restart-events", type=int, default=1000, help="events in each")
    parser.add_argument("--restart-sample", type=int, default=100, help="incidents asked for")
    parser.add_argument("--restart-runs", type=int, default=3, help="timed restarts")
    args = parser.parse_args(argv)

    print_conditions()
    with temporary_databases("steady_replay") as new_database, tempfile.TemporaryDirectory() as tmp:
        if args.profile:
            app = Steady(
                Settings(database_url=new_database("profile")).eventsourcing_env() | AT_REST
            )
            try:
                profile(app, args.events)
            finally:
                app.close()
            return
        rows: list[Row] = []
        if "in-process" in args.parts:
            stores = {
                "sqlite": f"sqlite:///{Path(tmp) / 'replay.db'}",
                "postgres": new_database("replay"),
            }
            for store, url in stores.items():
                print(f"  building and replaying on {store}...", file=sys.stderr)
                rows += measure(store, url, args.events, args.runs)
        if "api" in args.parts:
            print("  building, then asking the API of steady serve...", file=sys.stderr)
            rows += measure_api(
                new_database("api"), args.events, args.short_events, args.runs, Path(tmp)
            )
        if "restart" in args.parts:
            print("  building, then restarting steady serve...", file=sys.stderr)
            rows += measure_cold_start(
                new_database("restart"),
                args.restart_incidents,
                args.restart_events,
                args.restart_sample,
                args.restart_runs,
                Path(tmp),
            )
    report(rows, args)


def report(rows: list[Row], args: argparse.Namespace) -> None:
    restarts = f" (restarts: of {args.restart_runs})" if "restart" in args.parts else ""
    print(
        f"Medians of {args.runs} runs{restarts}, milliseconds; cpu ms is this process's "
        "in-process, the server's (mean) through the API\n"
    )
    table = [
        [s, what, f"{ms:,.1f}", "" if cpu is None else f"{cpu:,.1f}"] for s, what, ms, cpu in rows
    ]
    print_table(["store", "what", "median ms", "cpu ms"], table, left=2)
    print()
    figures = {(s, w): ms for s, w, ms, _ in rows}
    targets = (
        ("incident(ref), full replay", 150),
        ("timeline as JSON, cold (stored)", 200),
        (f"timeline as JSON, stored (+{WARM_EVENTS} events elsewhere)", 200),
        (f"timeline as JSON, cached (+{WARM_EVENTS} events elsewhere)", 200),
    )
    for what, target in targets:
        if ("postgres", what) in figures:
            ms = figures["postgres", what]
            verdict(f"on PostgreSQL, {what} under {target} ms", f"{ms:.0f} ms", ms < target)
    for what, within in (("add a note (POST)", 1.5), ("the incident (GET)", 2.0)):
        long = figures.get(("pg, API", f"{what}, {args.events:,} events"))
        short = figures.get(("pg, API", f"{what}, {args.short_events:,} events"))
        if long is not None and short is not None:
            verdict(
                f"through the API, {what} on {args.events:,} events within {within}x of "
                f"{args.short_events:,}",
                f"{long:,.0f} ms against {short:,.0f} ms, {long / short:.2f}x",
                long <= within * short,
            )


def verdict(target: str, figure: str, met: bool) -> None:
    print(f"Target {target}: {figure}, {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
