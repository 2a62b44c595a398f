"""The PostgreSQL datastore Steady uses: the library's, with every wait bounded.

The library waits up to its pool timeout for a connection and retries a failed operation ten
times, so with PostgreSQL cut off a request hung for most of a minute; its pool reconnects with
a backoff that doubles without end, so after a long outage it came back minutes late. Here
(service.store.outage says why and how):

- a connection is waited for only until the operation's deadline, and only briefly once the
  store is known to be down; while down, each pooled connection is checked before use;
- libpq gives up connecting after the bound, PostgreSQL cancels a statement running longer
  than it, TCP drops a connection whose packets go unanswered for that long (a cut that sends
  no reset), and a connection still waiting for an answer just past the deadline is
  severed (service.store.watchdog: something between acknowledges and answers nothing);
- the pool tries to reconnect at least every RECONNECT_EVERY seconds, for as long as it takes.

PERSISTENCE_MODULE names SteadyPostgresFactory (service.config), which builds this datastore.
"""

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence
from eventsourcing.postgres import ConnectionPool, PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment
from psycopg.rows import DictRow
from psycopg.types.composite import register_composite
from psycopg_pool import PoolClosed, PoolTimeout, TooManyRequests
from psycopg_pool.base import AttemptWithBackoff

from service.store.outage import DEFAULT_BOUND, Reach, StoreUnreachable
from service.store.watchdog import Watchdog

STORE_TIMEOUT = "STEADY_STORE_TIMEOUT"  # seconds; service.config puts it in the library's env
RECONNECT_EVERY = 1.0
NEVER_GIVE_UP = 7 * 24 * 3600.0  # a pool slot that stops reconnecting is lost for good

# psycopg's errors as the library's, as PostgresDatastore.get_connection maps them.
_MAPPED: tuple[tuple[type[psycopg.Error], type[persistence.PersistenceError]], ...] = (
    (psycopg.InterfaceError, persistence.InterfaceError),
    (psycopg.OperationalError, persistence.OperationalError),
    (psycopg.DataError, persistence.DataError),
    (psycopg.IntegrityError, persistence.IntegrityError),
    (psycopg.InternalError, persistence.InternalError),
    (psycopg.ProgrammingError, persistence.ProgrammingError),
    (psycopg.NotSupportedError, persistence.NotSupportedError),
    (psycopg.DatabaseError, persistence.DatabaseError),
    (psycopg.Error, persistence.PersistenceError),
)


def libpq_settings(bound: float) -> dict[str, Any]:
    """Connection settings that put the bound on what libpq and PostgreSQL wait for."""
    seconds = max(2, math.ceil(bound))  # libpq's connect_timeout: whole seconds, 2 at least
    return {
        "connect_timeout": seconds,
        "options": f"-c statement_timeout={int(bound * 1000)}",
        "tcp_user_timeout": int(bound * 1000),
        "keepalives": 1,
        "keepalives_idle": seconds,
        "keepalives_interval": 1,
        "keepalives_count": 2,
        "application_name": "steady",
    }


class _Reconnecting(AttemptWithBackoff):
    """The pool's backoff between reconnection attempts, held at RECONNECT_EVERY at most."""

    def update_delay(self, now: float) -> None:
        super().update_delay(now)
        self.delay = min(self.delay, RECONNECT_EVERY)


class BoundedPool(ConnectionPool[psycopg.Connection[DictRow]]):
    def _add_connection(self, attempt: AttemptWithBackoff | None, growing: bool = False) -> None:
        super()._add_connection(attempt or _Reconnecting(timeout=self.reconnect_timeout), growing)


class BoundedDatastore(PostgresDatastore):
    """PostgresDatastore whose connections are waited for until the operation's deadline."""

    reach: Reach
    watchdog: Watchdog

    @classmethod
    def like(cls, stock: PostgresDatastore, reach: Reach) -> "BoundedDatastore":
        """This datastore with the settings the library read into `stock` (not yet opened)."""
        pool = stock.pool
        kwargs = dict(pool.kwargs or {})  # type: ignore[call-overload]
        datastore = cls(
            dbname=kwargs.pop("dbname"),
            host=kwargs.pop("host"),
            port=kwargs.pop("port"),
            user=kwargs.pop("user"),
            password=kwargs.pop("password"),
            connect_timeout=pool.timeout,
            idle_in_transaction_session_timeout=stock.idle_in_transaction_session_timeout,
            pool_size=pool.min_size,
            max_overflow=pool.max_size - pool.min_size,
            max_waiting=pool.max_waiting,
            conn_max_age=pool.max_lifetime,
            pre_ping=stock.pre_ping,
            lock_timeout=stock.lock_timeout,
            schema=stock.schema,
            get_password_func=pool.get_password_func,
            single_row_tracking=stock.single_row_tracking,
            originator_id_type=stock.originator_id_type,  # type: ignore[arg-type]
            enable_db_functions=stock.enable_db_functions,
        )
        datastore.reach = reach
        datastore.watchdog = Watchdog()
        built = datastore.pool
        datastore.pool = BoundedPool(
            get_password_func=built.get_password_func,
            connection_class=psycopg.Connection[DictRow],
            kwargs={**(built.kwargs or {}), **libpq_settings(reach.bound)},  # type: ignore[dict-item]
            min_size=built.min_size,
            max_size=built.max_size,
            open=False,
            configure=datastore.after_connect_func(),
            check=ConnectionPool.check_connection if stock.pre_ping else None,
            timeout=reach.bound,
            max_waiting=built.max_waiting,
            max_lifetime=built.max_lifetime,
            reconnect_timeout=NEVER_GIVE_UP,
        )
        return datastore

    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        conn = self._checked_out()
        # Just past the deadline, after statement_timeout had its chance to say why.
        watched = self.watchdog.watch(conn, time.monotonic() + self.reach.remaining() + 0.5)
        try:
            for info in self.psycopg_type_adapters.values():
                if not conn.adapters.types.get(info.oid):
                    register_composite(info, conn)
            with conn:
                yield conn
        except psycopg.Error as error:
            if conn.broken:
                self.reach.mark_down(error)
            raise _as_library_error(error) from error
        else:
            if self.reach.down:
                self.reach.mark_up()
        finally:
            self.watchdog.release(watched)
            self.pool.putconn(conn)

    def _checked_out(self) -> psycopg.Connection[DictRow]:
        """A pooled connection, by the deadline; while the store is down, one that answers."""
        try:
            self.pool.open(wait=False)
            while True:
                wait = self.reach.connection_wait()
                if wait <= 0:
                    raise PoolTimeout("no time left to wait for a connection")
                conn = self.pool.getconn(timeout=wait)
                if not self.reach.down:
                    return conn
                watched = self.watchdog.watch(conn, time.monotonic() + self.reach.probe)
                try:
                    ConnectionPool.check_connection(conn)
                except psycopg.Error:
                    self.pool.putconn(conn)  # dead: the pool drops it and connects anew
                    continue
                finally:
                    self.watchdog.release(watched)
                return conn
        except PoolClosed as error:
            raise persistence.OperationalError(str(error)) from error
        except (PoolTimeout, TooManyRequests) as error:
            self.reach.mark_down(error)
            raise StoreUnreachable(f"no connection to the event store: {error}") from error
        except psycopg.Error as error:
            raise _as_library_error(error) from error


def _as_library_error(error: psycopg.Error) -> persistence.PersistenceError:
    for theirs, ours in _MAPPED:
        if isinstance(error, theirs):
            return ours(str(error))
    return persistence.PersistenceError(str(error))  # pragma: no cover: psycopg.Error is last


class SteadyPostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory, with BoundedDatastore."""

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        bound = float(env.get(STORE_TIMEOUT) or DEFAULT_BOUND)
        self.datastore = BoundedDatastore.like(self.datastore, Reach(bound))
