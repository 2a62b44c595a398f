"""Severs a connection still waiting for PostgreSQL's answer past its deadline.

statement_timeout bounds what the server runs, and tcp_user_timeout a network that swallows
packets unacknowledged; neither helps when something acknowledges and then answers nothing (a
server frozen, a stuck proxy or balancer in between): psycopg would wait for the answer for
ever. One thread per store looks, a few times a second, for connections still in use past
their deadline and shuts their socket down; the waiting psycopg call then fails at once with a
lost connection, and the pool replaces it."""

import contextlib
import itertools
import logging
import os
import socket
import threading
import time

import psycopg

log = logging.getLogger(__name__)
LOOK_EVERY = 0.2


class Watchdog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._watched: dict[int, tuple[float, psycopg.Connection]] = {}
        self._tokens = itertools.count()
        self._thread: threading.Thread | None = None

    def watch(self, conn: psycopg.Connection, deadline: float) -> int:
        token = next(self._tokens)
        with self._lock:
            self._watched[token] = (deadline, conn)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="steady-store-watchdog")
                self._thread.daemon = True
                self._thread.start()
        return token

    def release(self, token: int) -> None:
        with self._lock:
            self._watched.pop(token, None)

    def _run(self) -> None:
        while True:
            time.sleep(LOOK_EVERY)
            now = time.monotonic()
            with self._lock:
                late = [t for t, (deadline, _) in self._watched.items() if deadline <= now]
                overdue = [self._watched.pop(t)[1] for t in late]
            for conn in overdue:
                log.warning("no answer from the event store in time: dropping the connection")
                sever(conn)


def sever(conn: psycopg.Connection) -> None:
    """Shuts the connection's socket down under psycopg (a copy of the descriptor is shut and
    closed, so the connection's own descriptor stays valid until psycopg closes it)."""
    try:
        copy = os.dup(conn.pgconn.socket)
    except (OSError, psycopg.Error):
        return  # closed already
    with socket.socket(fileno=copy) as sock, contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)
