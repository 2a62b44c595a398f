"""Shared fixtures: real stores. PostgreSQL must be there in CI; locally it may be skipped."""

import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from service.store.keys import generate_key

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Every store in the tests is encrypted at rest, as deployed; server processes inherit the key.
os.environ.setdefault("STEADY_CIPHER_KEY", generate_key())
PG_HOST = os.environ.get("STEADY_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("STEADY_TEST_PG_PORT", "5432"))


def _admin_connection() -> tuple[psycopg.Connection, str] | None:
    errors = []
    for user in ("postgres", "root"):
        try:
            conn = psycopg.connect(
                host=PG_HOST,
                port=PG_PORT,
                user=user,
                dbname="test",
                autocommit=True,
                connect_timeout=3,
            )
            return conn, user
        except psycopg.Error as error:
            errors.append(f"{user}: {error}")
    _admin_connection.errors = errors  # type: ignore[attr-defined]
    return None


def need_postgres() -> tuple[psycopg.Connection, str]:
    found = _admin_connection()
    if found is None:
        errors = "; ".join(_admin_connection.errors)  # type: ignore[attr-defined]
        message = f"PostgreSQL is not reachable on {PG_HOST}:{PG_PORT} ({errors})"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[tuple[str, str]]:
    """(admin user, database url prefix): the server tests create their databases on."""
    conn, user = need_postgres()
    conn.close()
    yield user, f"postgresql://{user}@{PG_HOST}:{PG_PORT}"


@pytest.fixture
def postgres_url(postgres_server: tuple[str, str]) -> Iterator[str]:
    """A new, empty database for one test, dropped afterwards."""
    _, prefix = postgres_server
    name = f"steady_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(f"{prefix}/test", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"{prefix}/{name}"
    with psycopg.connect(f"{prefix}/test", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path}/steady.db"


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request) -> str:
    """Each test that takes this runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("postgres_url")


def _runs_on_postgres(item: pytest.Item) -> bool:
    fixtures = getattr(item, "fixturenames", ())
    callspec = getattr(item, "callspec", None)
    params = callspec.params if callspec is not None else {}
    return (
        "postgres_url" in fixtures
        or "postgres_server" in fixtures
        or params.get("database_url") == "postgres"
        or "postgres" in str(params.get("store", ""))
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Marks every test that reaches PostgreSQL `postgres` (also those that get it through the
    `database_url` parameter), and every test that starts a process `slow`, so that
    `-m "not postgres"` and `-m "not slow"` leave out exactly those."""
    for item in items:
        if _runs_on_postgres(item):
            item.add_marker(pytest.mark.postgres)
        if item.path.parent.name == "e2e" or "subprocess" in getattr(item.module, "__dict__", {}):
            item.add_marker(pytest.mark.slow)
