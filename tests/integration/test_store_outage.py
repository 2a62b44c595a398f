"""A connection to PostgreSQL lost in the middle of a commit, through a proxy that cuts it: the
caller is told plainly that the save may have happened, and when the store can be asked in
time, the save that did happen is found and not written again."""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady
from service.store.outage import OutcomeUnknown, StoreUnreachable
from tests.conftest import PG_HOST, PG_PORT
from tests.e2e.tcp_proxy import TcpProxy
from tests.integration.test_group_commit import junk_event, recorder_of, wait_until

pytestmark = pytest.mark.postgres


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    with TcpProxy(PG_HOST, PG_PORT) as running:
        yield running


def open_through(proxy: TcpProxy, postgres_url: str, bound: float) -> Steady:
    return open_steady(Settings(database_url=proxy.url_for(postgres_url), store_timeout=bound))


def commit_waiting_on_the_lock(admin: psycopg.Connection) -> bool:
    """Whether a group's statement has reached the server and waits there for the table."""
    row = admin.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND query LIKE '%group_insert%' AND datname = current_database()"
    ).fetchone()
    return bool(row and row[0])


def test_a_commit_cut_off_in_flight_is_reported_as_maybe_saved(proxy, postgres_url):
    steady = open_through(proxy, postgres_url, bound=2)
    recorder = recorder_of(steady)
    try:
        with (
            psycopg.connect(postgres_url, autocommit=True) as admin,
            psycopg.connect(postgres_url) as locker,
            ThreadPoolExecutor(1) as pool,
        ):
            locker.execute(f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE")
            saving = pool.submit(recorder.insert_events, [junk_event()])
            wait_until(lambda: commit_waiting_on_the_lock(admin))
            proxy.cut()  # the statement is at the server; its answer can no longer come back
            with pytest.raises(OutcomeUnknown, match="could not be asked whether it was written"):
                saving.result(timeout=10)
            locker.rollback()
    finally:
        steady.close()


def test_a_commit_whose_answer_was_lost_is_found_saved_and_not_written_again(proxy, postgres_url):
    steady = open_through(proxy, postgres_url, bound=8)
    recorder = recorder_of(steady)
    event = junk_event()
    try:
        with (
            psycopg.connect(postgres_url, autocommit=True) as admin,
            psycopg.connect(postgres_url) as locker,
            ThreadPoolExecutor(1) as pool,
        ):
            locker.execute(f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE")
            saving = pool.submit(recorder.insert_events, [event])
            wait_until(lambda: commit_waiting_on_the_lock(admin))
            proxy.cut()
            proxy.restore()
            # The server never heard of the cut while it waited: given the lock, it commits.
            threading.Timer(0.3, locker.rollback).start()
            ids = saving.result(timeout=20)
        [stored] = steady.recorder.select_events(event.originator_id)
        assert stored.state == event.state
        [notification] = steady.recorder.select_notifications(ids[0], 1)
        assert notification.originator_id == event.originator_id  # its own id, once
    finally:
        steady.close()


def test_with_the_store_cut_off_a_read_and_a_save_fail_saying_nothing_was_written(
    proxy, postgres_url
):
    steady = open_through(proxy, postgres_url, bound=2)
    try:
        steady.last_position()
        proxy.cut()
        with pytest.raises(StoreUnreachable) as read:
            steady.last_position()
        event = junk_event()
        with pytest.raises(StoreUnreachable) as saved:
            steady.recorder.insert_events([event])
        assert not isinstance(saved.value, OutcomeUnknown)
        assert not isinstance(read.value, OutcomeUnknown)
        proxy.restore()
        wait_until(lambda: _reachable(steady), timeout=10)
        assert steady.recorder.select_events(event.originator_id) == []
        assert len(steady.recorder.insert_events([event])) == 1  # and the store is used again
    finally:
        steady.close()


def test_a_store_that_answers_nothing_fails_reads_and_saves_in_time_and_is_used_again(
    proxy, postgres_url
):
    steady = open_through(proxy, postgres_url, bound=2)
    try:
        steady.last_position()
        proxy.stall()  # connections stay open; nothing comes back
        with ThreadPoolExecutor(1) as pool:
            with pytest.raises(StoreUnreachable):
                pool.submit(steady.last_position).result(timeout=15)  # not for ever
            with pytest.raises(StoreUnreachable):
                pool.submit(steady.recorder.insert_events, [junk_event()]).result(timeout=15)
        proxy.restore()
        wait_until(lambda: _reachable(steady), timeout=10)
        assert len(steady.recorder.insert_events([junk_event()])) == 1
    finally:
        steady.close()


def _reachable(steady: Steady) -> bool:
    try:
        steady.last_position()
    except StoreUnreachable:
        return False
    return True
