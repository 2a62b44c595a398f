"""Fan-out of the live board feed against the floor (run by hand, not part of the test suite).

For each client count N, each run starts two servers in turn and connects the same N websocket
clients to each, from separate client processes (so their CPU is not the server's):

- the floor: a bare server (this file, `floor` mode) that writes one pre-built frame to every
  socket when asked (GET /publish), and does nothing else;
- Steady: `steady serve` on a fresh SQLite store (or PostgreSQL) with the demo district, the
  clients signed in as the crisis lead, each caught up from the log before measuring.

Then one update a second: a task's status through the JSON API (a GET /publish for the floor).
Reported, per server: p50 and p99 over every (update, client) pair, and the median over updates
of the time to the last client, all from the moment the request was sent; messages lost; the
server's CPU time (user + system, from /proc) during the updates divided by the frames the
clients received (heartbeats included): CPU per delivery; and memory per idle connection (the
server's RSS with N clients connected and caught up, minus before, over N). Each figure is the
median of the runs; the floor and Steady figures of a run come from the same clients.

    .venv/bin/python bench/fanout.py --clients 1000 5000 10000 --runs 3
    .venv/bin/python bench/fanout.py --clients 1000 --updates 10 --runs 1   # a quick look

Targets at 5,000 clients on a 2-core machine: at most 2.5x the floor's CPU per delivery and at
most 2x its p99; at 10,000 clients nothing lost.
"""

import argparse
import asyncio
import json
import multiprocessing
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

import httpx
from measuring import print_table, temporary_databases
from serving import steady_command, steady_env

ROOT = Path(__file__).resolve().parents[1]
BATCH = 100  # connections opened at once by one client process
FD_SPARE = 64


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def raise_fd_limit(needed: int) -> None:
    """Raises this process's open-file limit to its hard limit; fails clearly if short."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(
            f"ulimit -n: {needed} open files needed, the hard limit is {hard}: raise it "
            "(limits.conf, or `ulimit -Hn` as root) or use fewer clients per process"
        )


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the floor: a bare server writing one pre-built frame to every socket ---------------------


def run_floor(port: int) -> None:
    import websockets
    from websockets.asyncio.server import ServerConnection, serve
    from websockets.frames import Frame, Opcode
    from websockets.http11 import Request, Response

    raise_fd_limit(0)
    transports: set[asyncio.Transport] = set()
    padding = "x" * 300  # about the size of a task update on the feed

    def publish(connection: ServerConnection, request: Request) -> Response | None:
        if not request.path.startswith("/publish"):
            return None
        position = int(request.path.partition("=")[2])
        text = json.dumps({"position": position, "type": "floor", "data": padding})
        frame = Frame(Opcode.TEXT, text.encode()).serialize(mask=False)
        for transport in transports:
            transport.write(frame)
        return connection.respond(200, f"{len(transports)}\n")

    async def handler(connection: ServerConnection) -> None:
        await connection.send(json.dumps({"type": "caught_up", "position": 0}))
        transports.add(connection.transport)
        try:
            await connection.wait_closed()
        finally:
            transports.discard(connection.transport)

    async def main() -> None:
        async with serve(
            handler,
            "127.0.0.1",
            port,
            compression=None,
            ping_interval=None,
            process_request=publish,
            backlog=4096,
        ):
            print("ready", flush=True)
            await asyncio.Future()

    del websockets
    asyncio.run(main())


# --- client processes -----------------------------------------------------------------------


def client_worker(commands: Connection) -> None:
    """Holds connections; answers commands: connect, collect, close, quit."""
    import websockets

    async def main() -> None:
        loop = asyncio.get_running_loop()
        sockets: list[websockets.ClientConnection] = []
        listeners: list[asyncio.Task[None]] = []
        received: list[tuple[int, float]] = []
        heartbeats = [0]

        async def listen(sock: websockets.ClientConnection) -> None:
            try:
                async for raw in sock:
                    now = time.time()
                    assert isinstance(raw, str)
                    if raw.startswith('{"position":'):
                        received.append((int(raw[12 : raw.index(",", 12)]), now))
                    elif '"heartbeat"' in raw[:20]:
                        heartbeats[0] += 1
            except websockets.ConnectionClosed:
                pass

        async def open_one(url: str, headers: dict[str, str]) -> websockets.ClientConnection:
            sock = await websockets.connect(
                url,
                additional_headers=headers,
                max_queue=None,
                open_timeout=120,
                ping_interval=None,
                compression=None,
            )
            while json.loads(await sock.recv())["type"] != "caught_up":
                pass
            return sock

        while True:
            command, *args = await loop.run_in_executor(None, commands.recv)
            if command == "connect":
                url, headers, count = args
                raise_fd_limit(count + FD_SPARE)
                for start in range(0, count, BATCH):
                    n = min(BATCH, count - start)
                    sockets.extend(
                        await asyncio.gather(*(open_one(url, headers) for _ in range(n)))
                    )
                listeners.extend(asyncio.create_task(listen(s)) for s in sockets)
                commands.send(len(sockets))
            elif command == "collect":
                commands.send((list(received), heartbeats[0]))
                received.clear()
                heartbeats[0] = 0
            elif command == "close":
                await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
                await asyncio.gather(*listeners, return_exceptions=True)
                sockets.clear()
                listeners.clear()
                commands.send("closed")
            else:
                return

    asyncio.run(main())


class Clients:
    """Client processes, each holding its share of the connections."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.pipes: list[Connection] = []
        self.workers = []
        for _ in range(processes):
            mine, theirs = context.Pipe()
            worker = context.Process(target=client_worker, args=(theirs,), daemon=True)
            worker.start()
            self.pipes.append(mine)
            self.workers.append(worker)

    def _all(self, *commands: tuple) -> list:
        for pipe, command in zip(self.pipes, commands, strict=True):
            pipe.send(command)
        return [pipe.recv() for pipe in self.pipes]

    def connect(self, url: str, headers: dict[str, str], total: int) -> int:
        n = len(self.pipes)
        shares = [total // n + (i < total % n) for i in range(n)]
        return sum(self._all(*(("connect", url, headers, share) for share in shares)))

    def collect(self) -> tuple[list[tuple[int, float]], int]:
        received: list[tuple[int, float]] = []
        beats = 0
        for pairs, heartbeats in self._all(*(("collect",) for _ in self.pipes)):
            received.extend(pairs)
            beats += heartbeats
        return received, beats

    def close(self) -> None:
        self._all(*(("close",) for _ in self.pipes))

    def quit(self) -> None:
        for pipe in self.pipes:
            pipe.send(("quit",))
        for worker in self.workers:
            worker.join(timeout=30)


# --- the two servers --------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    ws_url: str
    headers: dict[str, str]
    base: str
    ref: str = ""
    task: str = ""
    status: str = ""

    def update(self, http: httpx.Client, position: int) -> int:
        """Sends one update; the position the clients will see it at."""
        if not self.ref:
            http.get(f"{self.base}/publish?position={position}").raise_for_status()
            return position
        self.status = "in_progress" if self.status == "todo" else "todo"
        body = {"status": self.status, "reason": "bench" if self.status == "todo" else ""}
        response = http.post(
            f"{self.base}/api/v1/incidents/{self.ref}/tasks/{self.task}/status",
            json=body,
            headers=self.headers,
        )
        response.raise_for_status()
        return response.json()["position"]


RAISE_FD_LIMIT = (
    "import resource;r=resource.RLIMIT_NOFILE;resource.setrlimit(r,(resource.getrlimit(r)[1],)*2);"
)


def _serve_command(code: str, *args: str) -> list[str]:
    """A server process with its open-file limit raised to the hard limit, as a unit would."""
    return [sys.executable, "-c", RAISE_FD_LIMIT + code, *args]


@contextmanager
def floor_server() -> Iterator[Server]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "floor", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        yield Server(process, f"ws://127.0.0.1:{port}/", {}, f"http://127.0.0.1:{port}")
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def steady_server(database_url: str) -> Iterator[Server]:
    from service.store.keys import generate_key

    port = free_port()
    env = steady_env(database_url, generate_key())
    steady_command(env, "demo", "--json")
    # Only the owner issues a token for a person's account: with their password.
    token = steady_command(
        env, "users", "token", "m.alvarez", "--password-stdin", stdin="steady-demo-2026\n"
    ).strip()
    lead = {"Authorization": f"Bearer {token}"}
    process = subprocess.Popen(
        _serve_command("from web.cli import main;main()", "serve", "--port", str(port)),
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
        incident = httpx.get(f"{base}/api/v1/incidents/{ref}", headers=lead).json()
        task = next(t for t in incident["task_list"] if t["status"] in ("todo", "in_progress"))
        yield Server(
            process,
            f"ws://127.0.0.1:{port}/ws/board?after={listing['position']}",
            lead,
            base,
            ref,
            task["id"],
            task["status"],
        )
    finally:
        process.terminate()
        process.wait(timeout=30)


def measure(server: Server, clients: Clients, n: int, updates: int) -> dict:
    time.sleep(1)
    before = rss_kb(server.process.pid)
    connected = clients.connect(server.ws_url, server.headers, n)
    time.sleep(2)
    idle_kb = (rss_kb(server.process.pid) - before) / max(connected, 1)
    clients.collect()  # anything sent while connecting is not measured
    sent: dict[int, float] = {}
    cpu_before = cpu_seconds(server.process.pid)
    with httpx.Client(timeout=30) as http:
        start = time.time()
        for k in range(updates):
            time.sleep(max(0.0, start + k - time.time()))  # one update a second
            at = time.time()
            sent[server.update(http, 10**9 + k if not server.ref else 0)] = at
        time.sleep(3)
    cpu = cpu_seconds(server.process.pid) - cpu_before
    received, heartbeats = clients.collect()
    clients.close()
    latencies = sorted((at - sent[p]) * 1000 for p, at in received if p in sent)
    last: dict[int, float] = {}
    for p, at in received:
        if p in sent:
            last[p] = max(last.get(p, 0.0), (at - sent[p]) * 1000)
    delivered = len(latencies)
    return {
        "clients": connected,
        "lost": connected * len(sent) - delivered,
        "p50_ms": statistics.median(latencies) if latencies else float("nan"),
        "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] if latencies else 0.0,
        "last_ms": statistics.median(last.values()) if last else float("nan"),
        "cpu_us": cpu * 1e6 / max(delivered + heartbeats, 1),
        "kb_per_idle": idle_kb,
    }


@contextmanager
def started(name: str, store: str) -> Iterator[Server]:
    if name == "floor":
        with floor_server() as server:
            yield server
    elif store == "sqlite":
        with tempfile.TemporaryDirectory() as tmp, steady_server(f"sqlite:///{tmp}/b.db") as server:
            yield server
    else:
        with temporary_databases("fanout") as make, steady_server(make("steady")) as server:
            yield server


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "floor":
        run_floor(int(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[1000, 5000, 10000])
    parser.add_argument("--updates", type=int, default=15, help="one a second, per run")
    parser.add_argument("--runs", type=int, default=3, help="the figures are their medians")
    parser.add_argument("--processes", type=int, default=4, help="client processes")
    parser.add_argument("--store", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    raise_fd_limit(FD_SPARE)
    clients = Clients(args.processes)
    rows = []
    try:
        for n in args.clients:
            runs: dict[str, list[dict]] = {"floor": [], "steady": []}
            for run in range(args.runs):
                # Alternate which server goes first, so neither always meets a warmer machine.
                order = ["floor", "steady"] if run % 2 == 0 else ["steady", "floor"]
                for name in order:
                    with started(name, args.store) as server:
                        result = measure(server, clients, n, args.updates)
                    runs[name].append(result)
                    print(json.dumps({"server": name, "run": run, **result}), flush=True)
            for name, results in runs.items():
                rows.append(
                    {
                        "server": name,
                        **{k: statistics.median(r[k] for r in results) for k in results[0]},
                    }
                )
    finally:
        clients.quit()
    print()
    figures = ["clients", "lost", "p50_ms", "p99_ms", "last_ms", "cpu_us", "kb_per_idle"]
    print_table(
        ["server", "clients", "lost", "p50 ms", "p99 ms", "last ms", "CPU µs/delivery", "KB/conn"],
        [
            [
                row["server"],
                *(
                    f"{row[k]:.0f}" if k in ("clients", "lost") else f"{row[k]:.1f}"
                    for k in figures
                ),
            ]
            for row in rows
        ],
    )


if __name__ == "__main__":
    main()
