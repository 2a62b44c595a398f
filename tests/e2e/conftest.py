"""Real server processes for end-to-end tests: `steady serve` on a free port."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import seed_demo_accounts
from tests.builders import FAST_HASHER, bearer

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RunningServer:
    """One `steady serve` process; stop() and start() keep its port and database."""

    def __init__(self, database_url: str, log_path: Path, serve_args: Sequence[str] = ()) -> None:
        self.port = free_port()
        self.serve_args = tuple(serve_args)  # e.g. ("--workers", "2")
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        self.env = {**os.environ, "STEADY_DATABASE_URL": database_url}
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.database_url = database_url
        self._tokens: dict[str, dict[str, str]] = {}

    def auth(self, username: str = "m.alvarez") -> dict[str, str]:
        """An Authorization header for a demo account (seeded here if the store has none)."""
        if username not in self._tokens:
            steady = open_steady(Settings(database_url=self.database_url))
            try:
                accounts = Accounts(steady, hasher=FAST_HASHER)
                seed_demo_accounts(accounts)
                owner = accounts.account(username).acting_as()  # only they may issue it
                self._tokens[username] = bearer(
                    accounts.issue_token(username, "e2e tests", actor=owner)
                )
            finally:
                steady.close()
        return self._tokens[username]

    def steady(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "web.cli", *args],
            env=self.env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )

    def start(self) -> "RunningServer":
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "web.cli", "serve", "--port", str(self.port), *self.serve_args],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() reaches its workers too
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"steady serve exited: {self.log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/signin", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError(f"steady serve did not answer: {self.log_path.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL, as a power cut or the OOM killer would: no shutdown, nothing flushed. With
        --workers, the workers die with their supervisor's process group."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo district seeded once (its SQLite file and key): seeding it, argon2 hashes
    and all, takes seconds, so each server that needs it starts from a copy."""
    directory = tmp_path_factory.mktemp("demo-store")
    RunningServer(f"sqlite:///{directory}/steady.db", directory / "seed.log").steady("demo")
    return directory / "steady.db"


@pytest.fixture
def start_server(tmp_path, request) -> Iterator[Callable[..., RunningServer]]:
    """Starts servers, stopped at the end. A test on PostgreSQL names `postgres_url` before
    `start_server`: fixtures are torn down in reverse, so the servers stop before their
    database is dropped (the other way round, each waits out its shutdown on a missing one)."""
    servers: list[RunningServer] = []

    def start(
        database_url: str | None = None, *, demo: bool = False, serve_args: Sequence[str] = ()
    ) -> RunningServer:
        url = database_url or f"sqlite:///{tmp_path}/steady.db"
        server = RunningServer(url, tmp_path / f"server-{len(servers)}.log", serve_args)
        if demo and database_url is None and not servers:
            demo_store = request.getfixturevalue("demo_store")  # seeded only if a test needs it
            for part in demo_store.parent.glob(f"{demo_store.name}*"):  # the file, WAL, key
                shutil.copy2(part, tmp_path / part.name)
        elif demo:
            server.steady("demo")
        servers.append(server)
        return server.start()

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(start_server) -> RunningServer:
    """A server on a fresh SQLite file with the demo district seeded."""
    return start_server(demo=True)
