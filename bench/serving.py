"""A real `steady serve` for the benchmarks: the process on a database of its own, a lead's API
token made with the `steady` command, keep-alive HTTP clients, and the server's CPU time."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
LEAD_USERNAME = "bench.lead"
ORGANISATION = "bench-district"
SCHOOL = "Roosevelt High School"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def steady_env(database_url: str, cipher_key: str) -> dict[str, str]:
    """The environment `steady` runs in: this database and key, nothing else of the caller's
    STEADY_* settings (so a developer's shell cannot change what is measured)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("STEADY_")}
    return env | {"STEADY_DATABASE_URL": database_url, "STEADY_CIPHER_KEY": cipher_key}


def steady_command(env: dict[str, str], *args: str, stdin: str = "") -> str:
    """Runs `steady ARGS...` as a user would; its standard output, or an error with its stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "web.cli", *args],
        env=env,
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"steady {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def lead_token(env: dict[str, str]) -> str:
    """A district, a crisis lead who signs in only with API tokens, and a token for them: the
    documented first steps with `steady orgs` and `steady users` (no demo data)."""
    steady_command(env, "orgs", "add", ORGANISATION, "--name", "Bench district", "--kind",
                   "district")  # fmt: skip
    steady_command(env, "users", "add", LEAD_USERNAME, "--name", "Bench lead", "--org",
                   ORGANISATION, "--role", "crisis-lead", "--no-password")  # fmt: skip
    issued = steady_command(env, "users", "token", LEAD_USERNAME, "--label", "bench", "--json")
    return json.loads(issued)["token"]


def serve_accepts_workers() -> bool:
    """Whether this checkout's `steady serve` takes --workers (it is being added)."""
    return "--workers" in steady_command(dict(os.environ), "serve", "--help")


class Server:
    """One `steady serve` process on a free port; start() may be called again after stop()."""

    def __init__(self, env: dict[str, str], log_path: Path, *, workers: int | None = None):
        self.env = env
        self.log_path = log_path
        self.workers = workers
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> float:
        """Starts the process; returns time.perf_counter() just before it was started."""
        command = [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port)]
        if self.workers:
            command += ["--workers", str(self.workers)]
        log = self.log_path.open("ab")
        began = time.perf_counter()
        self.process = subprocess.Popen(
            command, env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        return began

    def wait_until_answering(self, timeout: float = 60) -> float:
        """Polls GET /signin until it answers 200; returns time.perf_counter() then."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"steady serve exited: {self.log_tail()}")
            probe = Client(self.port, timeout=1)
            try:
                status, _ = probe.request("GET", "/signin")
                if status == 200:
                    return time.perf_counter()
            except OSError:
                pass
            finally:
                probe.close()
            time.sleep(0.02)
        raise RuntimeError(f"steady serve did not answer within {timeout:.0f}s: {self.log_tail()}")

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:] if self.log_path.exists() else ""

    def cpu_seconds(self) -> float:
        """CPU time (user + system) of the server and every process under it (its workers)."""
        return process_tree_cpu(self.process.pid) if self.process else 0.0

    def wait_until_idle(self, *, below: float = 0.05, window: float = 0.5, timeout: float = 120):
        """Waits until the server uses less than `below` of a core over `window` seconds (its
        background catch-up done), so a figure measures the requests and not the start-up."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            before = self.cpu_seconds()
            time.sleep(window)
            if self.cpu_seconds() - before < below * window:
                return
        print(f"  (the server was still busy after {timeout:.0f}s)", file=sys.stderr)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


def process_tree_cpu(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # it has just ended
        return 0.0
    total = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        total += sum(process_tree_cpu(int(child)) for child in children)
    return total


class Client:
    """One keep-alive HTTP/1.1 connection (the standard library's, lighter than httpx, so the
    clients take less of the machine's two cores from the server they measure)."""

    def __init__(self, port: int, token: str = "", *, timeout: float = 60) -> None:
        self.port, self.timeout = port, timeout
        self.headers = {"Content-Type": "application/json"}
        if token:
            self.headers["Authorization"] = f"Bearer {token}"
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)

    def reconnect(self) -> None:
        """A fresh connection now, so that none idles past the server's keep-alive timeout
        (uvicorn's is 5 s) between rounds and breaks on the next request."""
        self.connection.close()
        self.connection.connect()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, bytes]:
        data = None if body is None else json.dumps(body).encode()
        try:
            self.connection.request(method, path, body=data, headers=self.headers)
            response = self.connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the next request opens a fresh connection
            raise

    def json(self, method: str, path: str, body: Any = None, *, expect: int = 200) -> Any:
        status, content = self.request(method, path, body)
        if status != expect:
            raise RuntimeError(f"{method} {path} answered {status}, not {expect}: {content[:500]}")
        return json.loads(content)

    def open_incident(self, title: str = "Lockdown after a report of a weapon") -> str:
        opened = self.json(
            "POST",
            "/api/v1/incidents",
            {"title": title, "kind": "lockdown", "severity": 1, "schools": [SCHOOL]},
            expect=201,
        )
        return opened["reference"]

    def close(self) -> None:
        self.connection.close()
