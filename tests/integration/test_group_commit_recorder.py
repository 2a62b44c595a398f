"""The group-commit recorder passes the library's own contract tests for application recorders,
and its faster select_events() returns what the library's does.

Each test class gets its own database, created here and dropped afterwards; each test starts
from empty tables, because the contract tests expect notification ids to start at 1. The contract
module is imported whole, not its classes: a TestCase imported by name would be collected too."""

import itertools
import unittest
import uuid
from typing import ClassVar

import psycopg
import pytest
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.tests import persistence as contract

from service.store.group_commit import GroupCommitRecorder
from tests.conftest import PG_HOST, PG_PORT, need_postgres

pytestmark = pytest.mark.postgres

TABLE = "stored_events"


class GroupCommitDatabase:
    """A database per test class; fresh tables and a fresh datastore per test."""

    pool_size = 1
    max_overflow = 0
    database: ClassVar[str]
    user: ClassVar[str]
    datastore: PostgresDatastore

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()  # type: ignore[misc]
        admin, cls.user = need_postgres()
        cls.database = f"steady_gc_{uuid.uuid4().hex[:12]}"
        with admin:
            admin.execute(f'CREATE DATABASE "{cls.database}"')

    @classmethod
    def tearDownClass(cls) -> None:
        with psycopg.connect(
            host=PG_HOST, port=PG_PORT, user=cls.user, dbname="test", autocommit=True
        ) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{cls.database}" WITH (FORCE)')
        super().tearDownClass()  # type: ignore[misc]

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        self.datastore = PostgresDatastore(
            self.database,
            PG_HOST,
            PG_PORT,
            self.user,
            "",
            pool_size=self.pool_size,
            max_overflow=self.max_overflow,
        )
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(f"DROP TABLE IF EXISTS {TABLE}")

    def tearDown(self) -> None:
        self.datastore.close()
        super().tearDown()  # type: ignore[misc]

    def create_recorder(self) -> GroupCommitRecorder:
        recorder = GroupCommitRecorder(self.datastore, events_table_name=TABLE)
        recorder.create_table()
        return recorder


class TestGroupCommitRecorder(
    GroupCommitDatabase, contract.ApplicationRecorderTestCase[GroupCommitRecorder]
):
    def test_concurrent_no_conflicts(self, initial_position: int = 0) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(12, 12)
        super().test_concurrent_no_conflicts(initial_position)

    def test_concurrent_throughput(self) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(10, 10)
        super().test_concurrent_throughput()

    def test_insert_subscribe(self) -> None:
        self.datastore.pool.open()
        self.datastore.pool.resize(2, 2)
        super().optional_test_insert_subscribe()


class TestGroupCommitNonInterleaving(
    GroupCommitDatabase, contract.NonInterleavingNotificationIDsBaseCase
):
    insert_num = 100
    pool_size = 2


class TestFastReads(GroupCommitDatabase, unittest.TestCase):
    def test_select_events_returns_what_the_library_returns_for_every_option(self) -> None:
        recorder = self.create_recorder()
        ids = [uuid.uuid4(), uuid.uuid4()]
        recorder.insert_events(
            [StoredEvent(i, v, f"topic{v}", bytes([v]) * v) for i in ids for v in range(1, 8)]
        )
        library = PostgresApplicationRecorder.select_events
        options = itertools.product((None, 0, 3, 7), (None, 2, 5), (False, True), (None, 1, 3))
        for gt, lte, desc, limit in options:
            for originator_id in (ids[0], str(ids[1]), uuid.uuid4()):
                kwargs = {"gt": gt, "lte": lte, "desc": desc, "limit": limit}
                fast = recorder.select_events(originator_id, **kwargs)
                assert fast == library(recorder, originator_id, **kwargs), kwargs
                assert all(type(e.state) is bytes for e in fast)
