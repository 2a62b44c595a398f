"""Fan-out latency of the live board feed (run by hand, not part of the test suite).

Starts `steady serve` on SQLite and on PostgreSQL (a fresh database each), connects N websocket
clients to /ws/board from separate client processes on this machine, then sends a stream of task
status updates through the JSON API. For each update, latency is the time from the API's
acknowledgement (the POST returning) to receipt by each client; a client can receive before the
acknowledgement reaches the sender, so small negative values are real and kept.

Reports p50, p99 and max over every (update, client) pair, messages lost, and the server's
resident memory per idle connection (RSS with N clients minus RSS before, divided by N).

    .venv/bin/python bench/fanout.py                 # N = 1000 and 5000, both stores
    .venv/bin/python bench/fanout.py --clients 1000 --updates 30 --stores sqlite

Targets on a 2-core machine: 1,000 clients p99 < 100 ms; 5,000 clients every message delivered
and p99 < 500 ms.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import psycopg
import websockets

from service.store.keys import generate_key

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def client_worker(url: str, headers: dict[str, str], count: int, ready, go, stop, results) -> None:
    """One client process: `count` connections, each recording (position, time received)."""
    raise_fd_limit()

    async def run() -> list[tuple[int, float]]:
        received: list[tuple[int, float]] = []
        sockets = []
        for start in range(0, count, 100):
            batch = await asyncio.gather(
                *[
                    websockets.connect(
                        url,
                        additional_headers=headers,
                        max_queue=None,
                        open_timeout=60,
                        ping_interval=None,
                    )
                    for _ in range(start, min(count, start + 100))
                ]
            )
            sockets.extend(batch)
        for sock in sockets:  # wait until each has caught up
            while json.loads(await sock.recv())["type"] != "caught_up":
                pass
        ready.put(len(sockets))

        async def listen(sock) -> None:
            try:
                async for raw in sock:
                    now = time.time()
                    if '"heartbeat"' in raw[:40]:
                        continue
                    received.append((json.loads(raw)["position"], now))
            except websockets.ConnectionClosed:
                pass

        listeners = [asyncio.create_task(listen(s)) for s in sockets]
        while not stop.is_set():
            await asyncio.sleep(0.2)
        for sock in sockets:
            await sock.close()
        await asyncio.gather(*listeners, return_exceptions=True)
        return received

    go.wait()
    results.put(asyncio.run(run()))


def run_case(database_url: str, clients: int, updates: int, processes: int) -> dict:
    port = free_port()
    env = {**os.environ, "STEADY_DATABASE_URL": database_url}
    env.setdefault("STEADY_CIPHER_KEY", generate_key())
    subprocess.run(
        [sys.executable, "-m", "web.cli", "demo", "--json"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    token = subprocess.run(
        # Only the owner issues a token for a person's account: with their password.
        [sys.executable, "-m", "web.cli", "users", "token", "m.alvarez", "--password-stdin"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        input="steady-demo-2026\n",
    ).stdout.strip()
    lead = {"Authorization": f"Bearer {token}"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import resource;r=resource.RLIMIT_NOFILE;"
            "resource.setrlimit(r,(resource.getrlimit(r)[1],)*2);"
            "from web.cli import main;main()",
            "serve",
            "--port",
            str(port),
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                listing = httpx.get(f"{base}/api/v1/incidents", headers=lead, timeout=2).json()
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        ref = listing["incidents"][0]["reference"]
        position = listing["position"]
        time.sleep(1)
        idle_before = rss_kb(server.pid)

        context = multiprocessing.get_context("spawn")
        ready, results = context.Queue(), context.Queue()
        go, stop = context.Event(), context.Event()
        shares = [clients // processes + (i < clients % processes) for i in range(processes)]
        workers = [
            context.Process(
                target=client_worker,
                args=(
                    f"ws://127.0.0.1:{port}/ws/board?after={position}",
                    lead,
                    n,
                    ready,
                    go,
                    stop,
                    results,
                ),
            )
            for n in shares
        ]
        for worker in workers:
            worker.start()
        go.set()
        connected = sum(ready.get(timeout=300) for _ in workers)
        time.sleep(2)
        idle_after = rss_kb(server.pid)

        incident = httpx.get(f"{base}/api/v1/incidents/{ref}", headers=lead).json()
        task = next(t for t in incident["task_list"] if t["status"] in ("todo", "in_progress"))
        status = task["status"]
        acks: dict[int, float] = {}
        with httpx.Client(base_url=base, headers=lead, timeout=30) as http:
            for _ in range(updates):
                status = "in_progress" if status == "todo" else "todo"
                body = {"status": status, "reason": "bench" if status == "todo" else ""}
                response = http.post(
                    f"/api/v1/incidents/{ref}/tasks/{task['id']}/status", json=body
                )
                acks[response.json()["position"]] = time.time()
                time.sleep(0.25)
        time.sleep(3)
        stop.set()
        received = [pair for _ in workers for pair in results.get(timeout=120)]
        for worker in workers:
            worker.join(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies = [(at - acks[pos]) * 1000 for pos, at in received if pos in acks]
    expected = connected * len(acks)
    ordered = sorted(latencies)
    return {
        "clients": connected,
        "updates": len(acks),
        "delivered": len(latencies),
        "lost": expected - len(latencies),
        "p50_ms": statistics.median(ordered) if ordered else None,
        "p99_ms": ordered[int(len(ordered) * 0.99) - 1] if ordered else None,
        "max_ms": ordered[-1] if ordered else None,
        "kb_per_idle_connection": (idle_after - idle_before) / max(connected, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--updates", type=int, default=20)
    parser.add_argument("--processes", type=int, default=2, help="client processes")
    parser.add_argument("--stores", nargs="+", default=["sqlite", "postgres"])
    args = parser.parse_args()
    raise_fd_limit()
    rows = []
    for store in args.stores:
        for clients in args.clients:
            with tempfile.TemporaryDirectory() as tmp:
                if store == "sqlite":
                    result = run_case(
                        f"sqlite:///{tmp}/bench.db", clients, args.updates, args.processes
                    )
                else:
                    name = f"steady_bench_{uuid.uuid4().hex[:8]}"
                    with psycopg.connect(
                        "postgresql://postgres@127.0.0.1:5432/test", autocommit=True
                    ) as conn:
                        conn.execute(f'CREATE DATABASE "{name}"')
                    try:
                        result = run_case(
                            f"postgresql://postgres@127.0.0.1:5432/{name}",
                            clients,
                            args.updates,
                            args.processes,
                        )
                    finally:
                        with psycopg.connect(
                            "postgresql://postgres@127.0.0.1:5432/test", autocommit=True
                        ) as conn:
                            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            rows.append({"store": store, **result})
            print(json.dumps(rows[-1]), flush=True)
    print()
    header = ["clients", "updates", "lost", "p50 ms", "p99 ms", "max ms", "KB/conn"]
    print(f"{'store':<9}" + "".join(f"{h:>9}" for h in header))
    for row in rows:
        print(
            f"{row['store']:<9}{row['clients']:>9}{row['updates']:>9}{row['lost']:>9}"
            f"{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}{row['max_ms']:>9.1f}"
            f"{row['kb_per_idle_connection']:>9.1f}"
        )


if __name__ == "__main__":
    main()
