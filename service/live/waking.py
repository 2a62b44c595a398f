"""Waiting for new events in the log: LISTEN/NOTIFY on PostgreSQL, polling on SQLite.

A reader always re-reads the log after waking, and wakes at least every `interval` seconds,
so a lost notification (or a dropped LISTEN connection) delays a reader, never stalls it."""

import threading

import psycopg
from eventsourcing.persistence import ApplicationRecorder
from eventsourcing.postgres import PostgresApplicationRecorder
from psycopg.sql import SQL, Identifier


class LogWaiter:
    def __init__(self, recorder: ApplicationRecorder, *, interval: float = 1.0) -> None:
        self.interval = interval
        self._recorder = recorder
        self._listen: psycopg.Connection | None = None
        self._woken = threading.Event()

    def wake(self) -> None:
        """Wakes the reader now: used after a save in this process."""
        self._woken.set()

    def wait(self, timeout: float | None = None) -> None:
        timeout = self.interval if timeout is None else timeout
        if isinstance(self._recorder, PostgresApplicationRecorder):
            self._wait_for_notify(self._recorder, timeout)
        else:
            self._woken.wait(timeout)
        self._woken.clear()

    def _wait_for_notify(self, recorder: PostgresApplicationRecorder, timeout: float) -> None:
        try:
            if self._listen is None or self._listen.closed:
                self._listen = self._connect(recorder)
            for _ in self._listen.notifies(timeout=timeout, stop_after=1):
                pass
        except psycopg.Error:
            # The connection dropped: drop it, wait a moment, reconnect on the next call.
            self.close()
            self._woken.wait(min(timeout, 1.0))

    @staticmethod
    def _connect(recorder: PostgresApplicationRecorder) -> psycopg.Connection:
        datastore = recorder.datastore
        # The pool's settings, timeouts and keepalives included (service/store/pg_datastore.py):
        # a LISTEN connection lost to a cut that sends no reset is noticed, and dropped.
        settings = {"connect_timeout": 5, **(datastore.pool.kwargs or {}), "autocommit": True}
        conn = psycopg.connect(datastore.pool.conninfo, **settings)
        conn.execute(SQL("LISTEN {}").format(Identifier(recorder.channel_name)))
        return conn

    def close(self) -> None:
        if self._listen is not None:
            try:
                self._listen.close()
            finally:
                self._listen = None
