"""Group commit through a Steady app on real PostgreSQL: concurrent saves share transactions,
each caller gets its own outcome, and no caller is lost or left waiting."""

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, OperationalError, StoredEvent

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady
from service.store.group_commit import GroupCommitRecorder
from tests.builders import LEAD, open_lockdown

pytestmark = pytest.mark.postgres


@pytest.fixture
def steady(postgres_url: str) -> Iterator[Steady]:
    app = open_steady(Settings(database_url=postgres_url))
    yield app
    app.close()


def recorder_of(app: Steady) -> GroupCommitRecorder:
    assert isinstance(app.recorder, GroupCommitRecorder)
    return app.recorder


def record_group_sizes(recorder: GroupCommitRecorder, monkeypatch) -> list[int]:
    sizes: list[int] = []
    take_group = recorder._take_group

    def recording() -> list:
        group = take_group()
        sizes.append(len(group))
        return group

    monkeypatch.setattr(recorder, "_take_group", recording)
    return sizes


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.005)


@contextmanager
def table_locked(url: str, recorder: GroupCommitRecorder) -> Iterator[None]:
    """Holds the events table's lock, so the next leader waits with its group in flight."""
    with psycopg.connect(url) as conn:
        conn.execute(f"LOCK TABLE {recorder.events_table_name} IN EXCLUSIVE MODE")
        yield
        conn.commit()


def leader_in_flight(recorder: GroupCommitRecorder) -> Callable[[], bool]:
    return lambda: recorder._leading and not recorder._queue


def junk_event() -> StoredEvent:
    return StoredEvent(originator_id=uuid4(), originator_version=1, topic="junk", state=b"{}")


def test_the_postgres_store_uses_group_commit(steady):
    assert isinstance(steady.recorder, GroupCommitRecorder)


def test_sixteen_writers_all_succeed_and_each_event_is_stored_once(steady, monkeypatch):
    references = [open_lockdown(steady) for _ in range(16)]
    sizes = record_group_sizes(recorder_of(steady), monkeypatch)
    start = threading.Barrier(16)

    def write(reference: str) -> list[int | None]:
        start.wait()
        return [steady.add_note(reference, f"note {i}", actor=LEAD).position for i in range(10)]

    with ThreadPoolExecutor(16) as pool:
        positions = list(pool.map(write, references))

    assert len({p for ps in positions for p in ps}) == 16 * 10
    for reference, returned in zip(references, positions, strict=True):
        events = steady.incident_events(reference)
        assert [e.version for e in events] == list(range(1, 12))
        assert [e.position for e in events[1:]] == returned
        assert [e.data["text"] for e in events[1:]] == [f"note {i}" for i in range(10)]
    assert sum(sizes) == 160  # every save went through a group
    assert max(sizes) > 1  # and saves did share transactions


def test_a_conflicting_batch_fails_only_its_caller(steady, postgres_url, monkeypatch):
    recorder = recorder_of(steady)
    incidents = [steady.incident(open_lockdown(steady)) for _ in range(6)]
    stale = steady.incident(incidents[0].reference)
    steady.add_note(incidents[0].reference, "Taken first", actor=LEAD)
    now = datetime.now(UTC)
    stale.add_note("Written on a stale copy", actor=LEAD, at=now)
    for incident in incidents[1:]:
        incident.add_note("Parents notified", actor=LEAD, at=now)
    sizes = record_group_sizes(recorder, monkeypatch)

    with ThreadPoolExecutor(6) as pool, table_locked(postgres_url, recorder):
        first = pool.submit(steady.save, incidents[1])
        wait_until(leader_in_flight(recorder))
        rest = [pool.submit(steady.save, i) for i in [*incidents[2:], stale]]
        wait_until(lambda: len(recorder._queue) == 5)

    assert sizes == [1, 5]  # the stale save shared its transaction with four others
    with pytest.raises(IntegrityError):
        rest[-1].result()
    saved = [first.result(), *(f.result() for f in rest[:-1])]
    positions = [recordings[0].notification.id for recordings in saved]
    assert len(set(positions)) == 5
    for incident in incidents[1:]:
        assert steady.incident(incident.reference).version == 2
    notes = steady.incident(incidents[0].reference).notes
    assert [n.text for n in notes.values()] == ["Taken first"]


def test_a_failed_transaction_reaches_every_caller_and_the_next_group_commits(steady, monkeypatch):
    recorder = recorder_of(steady)
    write = recorder._write
    calls: list[int] = []

    def failing_second_group(group: list) -> list:
        calls.append(len(group))
        if len(calls) == 1:
            wait_until(lambda: len(recorder._queue) == 3)
            return write(group)
        if len(calls) == 2:
            raise RuntimeError("the disk is on fire")
        return write(group)

    monkeypatch.setattr(recorder, "_write", failing_second_group)
    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(recorder.insert_events, [junk_event()])
        wait_until(leader_in_flight(recorder))
        rest = [pool.submit(recorder.insert_events, [junk_event()]) for _ in range(3)]
        assert len(first.result()) == 1
        errors = [_error_of(f) for f in rest]

    assert calls[:2] == [1, 3]
    assert all(isinstance(e, RuntimeError) for e in errors)
    assert len({id(e) for e in errors}) == 3  # each caller raises its own exception
    assert len(recorder.insert_events([junk_event()])) == 1  # the lead was passed on
    assert not recorder._leading


def test_a_caller_queued_too_long_gives_up_and_nothing_of_it_is_written(steady, postgres_url):
    recorder = recorder_of(steady)
    recorder.queue_timeout = 0.2
    waiting = junk_event()
    with ThreadPoolExecutor(2) as pool, table_locked(postgres_url, recorder):
        first = pool.submit(recorder.insert_events, [junk_event()])
        wait_until(leader_in_flight(recorder))
        queued = pool.submit(recorder.insert_events, [waiting])
        with pytest.raises(OperationalError, match="nothing written"):
            queued.result(timeout=5)
    assert len(first.result()) == 1
    assert recorder.select_events(waiting.originator_id) == []


def test_closing_fails_queued_callers_and_refuses_new_ones(steady, postgres_url):
    recorder = recorder_of(steady)
    with ThreadPoolExecutor(3) as pool, table_locked(postgres_url, recorder):
        first = pool.submit(recorder.insert_events, [junk_event()])
        wait_until(leader_in_flight(recorder))
        queued = [pool.submit(recorder.insert_events, [junk_event()]) for _ in range(2)]
        wait_until(lambda: len(recorder._queue) == 2)
        recorder.close()
        for future in queued:
            with pytest.raises(OperationalError, match="closed"):
                future.result(timeout=5)
    assert len(first.result()) == 1  # the group in flight still commits
    with pytest.raises(OperationalError, match="closed"):
        recorder.insert_events([junk_event()])


def test_after_the_app_is_closed_a_save_fails_at_once(postgres_url):
    app = open_steady(Settings(database_url=postgres_url))
    app.close()
    started = time.monotonic()
    with pytest.raises(OperationalError):
        app.recorder.insert_events([junk_event()])
    assert time.monotonic() - started < 1  # no retrying a pool that cannot reopen


def _error_of(future: Future) -> BaseException:
    error = future.exception(timeout=5)
    assert error is not None
    return error
