"""Fuzzing the API from its own OpenAPI document (schemathesis), signed in as each role.

Every operation the document lists is called with generated parameters and bodies against a real
store holding the demo district (a fresh copy per role; SQLite, and PostgreSQL for one role). No
answer may be a 5xx, and every answer must be one the document describes: its status code, its
content type, its body's schema; and a request valid by the document is taken (never a 400;
tests/api_fuzzing.py says what else it may get). Where the fuzzer finds a gap, the document (or
the server) is what gets fixed, not the check.

Bounded to stay fast: a few valid examples per operation and role, from a fixed seed so that
every run (and CI) sends the same requests. One role's run is thorough: it adds the coverage
phase (boundary values; missing, mistyped and out-of-range fields; an undeclared method).
"""

import shutil
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from litestar import Litestar
from schemathesis.config import SchemathesisConfig

from service.accounts.service import Accounts
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DEMO_ACCOUNTS, DISTRICT, PARTNER, seed_demo_accounts
from service.demo.incidents import seed_demo
from service.incidents.application import Steady
from tests.api_fuzzing import acceptance, path_ids, tasks_and_notes
from tests.builders import ADMIN, FAST_HASHER, bearer
from web.app import create_app

# One demo account per role: the first the demo lists.
ROLE_ACCOUNTS = {demo.role: demo.username for demo in reversed(DEMO_ACCOUNTS)}
ROLES = sorted(ROLE_ACCOUNTS)
# Generated (valid) examples per operation and run.
EXAMPLES = 2


@dataclass(frozen=True)
class Run:
    role: str
    store: str = "sqlite"
    # With the coverage phase too: boundary values, and invalid input (missing, mistyped and
    # out-of-range fields; an undeclared method). Invalid input is refused before any role
    # matters, so one role's run is enough: the one that may do most to incidents.
    thorough: bool = False


RUNS = [
    *(pytest.param(Run(role, thorough=role == "crisis-lead"), id=role) for role in ROLES),
    pytest.param(
        Run("crisis-lead", "postgres"), id="crisis-lead-postgres", marks=pytest.mark.postgres
    ),
]


@dataclass(frozen=True)
class Seeded:
    """The demo district, seeded once, and what the fuzzing needs to know of it."""

    folder: Path  # the store: each role gets a copy
    now: datetime  # when the demo was seeded
    document: dict[str, Any]  # the API's OpenAPI document
    refs: list[str]
    tasks: list[tuple[str, str]]  # (incident reference, task id)
    notes: list[tuple[str, str]]  # (incident reference, note id)
    known: dict[str, list[str]]  # other path parameters: values that exist


@dataclass(frozen=True)
class District:
    """A role's copy of the district: the app over it, and the role's token."""

    app: Litestar
    headers: dict[str, str]


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder}/steady.db"


def seed_district(steady: Steady, settings: Settings, now: datetime) -> list[str]:
    refs = sorted(seed_demo(steady, now, settings.zone()))
    seed_demo_accounts(Accounts(steady, hasher=FAST_HASHER))
    return refs


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    folder = tmp_path_factory.mktemp("seeded")
    settings = Settings(database_url=database_url(folder))
    steady = open_steady(settings)
    now = datetime.now(UTC)
    refs = seed_district(steady, settings, now)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    tasks, notes = tasks_and_notes(steady, refs)
    known = {
        # Not the admin: an admin disabling themselves would make the rest of their run 401s.
        "username": [demo.username for demo in DEMO_ACCOUNTS if demo.username != ADMIN],
        "organisation": [PARTNER[0], DISTRICT[0]],
        "playbook_id": [playbook.id for playbook in steady.playbooks.all()],
        "role": ROLES,
    }
    document = create_app(steady, settings, accounts=accounts).openapi_schema.to_schema()
    steady.close()
    return Seeded(folder, now, document, refs, tasks, notes, known)


@pytest.fixture(params=RUNS)
def run(request: pytest.FixtureRequest) -> Run:
    # schemathesis 4.32 reads `node._nodeid`, which pytest 9.2 no longer has: give it one.
    request.node._nodeid = request.node.nodeid
    return request.param


@pytest.fixture
def district(request: pytest.FixtureRequest, seeded: Seeded, tmp_path: Path, run: Run) -> District:
    """A fresh district for each run: what one role's requests change, the next doesn't see.
    (schemathesis's pytest plugin also ends the app's lifespan, which closes the store, when
    each test ends.)"""
    if run.store == "postgres":
        settings = Settings(database_url=request.getfixturevalue("postgres_url"))
        steady = open_steady(settings)
        # The same district as the copy's, so that the ids the fuzzing uses exist here too.
        assert seed_district(steady, settings, seeded.now) == seeded.refs
    else:
        folder = tmp_path / "district"
        shutil.copytree(seeded.folder, folder)
        settings = Settings(database_url=database_url(folder))
        steady = open_steady(settings)
    accounts = Accounts(steady, hasher=FAST_HASHER)
    owner = accounts.account(ROLE_ACCOUNTS[run.role]).acting_as()  # only they may issue it
    token = accounts.issue_token(ROLE_ACCOUNTS[run.role], "fuzzing", actor=owner)
    app = create_app(steady, settings, accounts=accounts, heartbeat_seconds=0.5, poll_seconds=0.2)
    return District(app, bearer(token))


@pytest.fixture
def api(seeded: Seeded, run: Run) -> schemathesis.schemas.BaseSchema:
    """The document, loaded for this run (schemathesis.pytest.from_fixture names this)."""
    config = SchemathesisConfig.from_dict(
        {
            # Fixed, so that every run (and CI) sends the same requests; one per run, so that
            # each role is sent different ones.
            "seed": zlib.crc32(f"{run.role} {run.store}".encode()),
            "phases": {
                "coverage": {
                    "enabled": run.thorough,
                    "generation": {"mode": "all"},
                    # One undeclared method per path is enough to see a 405 and its Allow header.
                    "unexpected-methods": ["trace"],
                },
            },
            # Random invalid input costs the most to generate; the coverage phase sends plenty.
            "generation": {"mode": "positive", "max-examples": EXAMPLES},
            # What a valid request may be answered with: never a 400.
            **acceptance(),
        }
    )
    schema = schemathesis.openapi.from_dict(seeded.document, config=config)
    hook = path_ids(seeded.refs, seeded.tasks, seeded.notes, seeded.known)
    schema.hook("flatmap_path_parameters")(hook)
    return schema


schema = schemathesis.pytest.from_fixture("api")


# `run` parametrizes the fixtures; named here because schemathesis's wrapper hides the test's
# own arguments from pytest.
@pytest.mark.usefixtures("run")
@schema.parametrize()
@hypothesis.settings(
    database=None,  # nothing carried over from earlier runs: each sends the same requests
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_answers_as_documented(case: Any, district: District) -> None:
    # Every check schemathesis runs by default, positive_data_acceptance and
    # allow_header_conformance included.
    case.call_and_validate(headers=district.headers, app=district.app)
