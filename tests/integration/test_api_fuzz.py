"""Fuzzing the API from its own OpenAPI document (schemathesis), signed in as each role.

Every operation the document lists is called with generated parameters and bodies (valid and
invalid) against a real store holding the demo district. No answer may be a 5xx, and every
answer must be one the document describes: its status code, its content type, its body's
schema. Where the fuzzer finds a gap, the document (or the server) is what gets fixed, not the
check.

Bounded to stay fast: a few generated examples per operation and role, derandomized so that
every run (and CI) sends the same requests; the coverage phase (boundary values, missing and
mistyped fields, undeclared methods, for every parameter) for one role only, since it costs
most and the validation it probes comes before any role matters.
"""

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from litestar import Litestar
from schemathesis.config import SchemathesisConfig

from service.accounts import Accounts
from service.application import Steady
from service.bootstrap import open_steady
from service.config import Settings
from service.demo import seed_demo
from service.demo_accounts import DEMO_ACCOUNTS, DISTRICT, PARTNER, seed_demo_accounts
from tests.integration.web_auth import ADMIN, FAST_HASHER, bearer
from web.app import create_app

# One demo account per role: the first the demo lists.
ROLE_ACCOUNTS = {demo.role: demo.username for demo in reversed(DEMO_ACCOUNTS)}
ROLES = sorted(ROLE_ACCOUNTS)
# The role whose run includes the coverage phase: the one that may do most to incidents.
THOROUGH_ROLE = "crisis-lead"
EXAMPLES_PER_OPERATION = 5

# Checks left out, each with why. Every other check schemathesis runs by default stays on.
EXCLUDED_CHECKS = [
    # Expects every schema-valid request to succeed. Here a schema-valid request may rightly be
    # refused, with a documented 4xx: a reference no incident has (404), a phase, status or kind
    # the playbooks don't know, a version the incident doesn't have (422), a stale version
    # (409), or text where a moment or a version number belongs (400: the document says only
    # "string" for `at`, `occurred_at`, `due_at`, `from` and `to`).
    schemathesis.checks.positive_data_acceptance,
    # Litestar 2 answers OPTIONS on a path whose methods were registered in two steps with only
    # the first step's methods in `Allow` (litestar-org/litestar#4169, fixed only in v3).
    schemathesis.checks.allow_header_conformance,
]


@dataclass(frozen=True)
class District:
    """The app over a seeded store, the role's token, and ids that exist in the store."""

    app: Litestar
    role: str
    headers: dict[str, str]
    refs: list[str]
    tasks: list[tuple[str, str]]  # (incident reference, task id)
    notes: list[tuple[str, str]]  # (incident reference, note id)
    known: dict[str, list[str]]  # other path parameters: values that exist


def database_url(folder: Path) -> str:
    return f"sqlite:///{folder}/steady.db"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo district in a SQLite store, seeded once: each role gets a copy."""
    folder = tmp_path_factory.mktemp("seeded")
    settings = Settings(database_url=database_url(folder))
    steady = open_steady(settings)
    seed_demo(steady, datetime.now(UTC), settings.zone())
    seed_demo_accounts(Accounts(steady, hasher=FAST_HASHER))
    steady.close()
    return folder


def tasks_and_notes(
    steady: Steady, refs: list[str]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    tasks: list[tuple[str, str]] = []
    notes: list[tuple[str, str]] = []
    for ref in refs:
        incident = steady.incident(ref)
        tasks += [(ref, task_id) for task_id in sorted(incident.tasks)[:3]]
        notes += [(ref, note_id) for note_id in sorted(incident.notes)[:3]]
    return tasks, notes


@pytest.fixture(params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    # schemathesis 4.32 reads `node._nodeid`, which pytest 9.2 no longer has: give it one.
    request.node._nodeid = request.node.nodeid
    return request.param


@pytest.fixture
def district(seeded: Path, tmp_path: Path, role: str) -> District:
    """A fresh copy of the district for each role: what one role's requests change, the next
    doesn't see. (schemathesis's pytest plugin also ends the app's lifespan, which closes the
    store, when each test ends.)"""
    folder = tmp_path / "district"
    shutil.copytree(seeded, folder)
    settings = Settings(database_url=database_url(folder))
    steady = open_steady(settings)
    refs = sorted(incident.reference for incident in steady.incidents(include_closed=True))
    accounts = Accounts(steady, hasher=FAST_HASHER)
    admin = accounts.account(ADMIN).acting_as()
    username = ROLE_ACCOUNTS[role]
    headers = bearer(accounts.issue_token(username, "fuzzing", actor=admin))
    tasks, notes = tasks_and_notes(steady, refs)
    known = {
        # Not the caller: an admin disabling themselves would make the rest of the run 401s.
        "username": [demo.username for demo in DEMO_ACCOUNTS if demo.username != username],
        "organisation": [PARTNER[0], DISTRICT[0]],
        "playbook_id": [playbook.id for playbook in steady.playbooks.all()],
        "role": ROLES,
    }
    app = create_app(steady, settings, accounts=accounts, heartbeat_seconds=0.5, poll_seconds=0.2)
    return District(app, role, headers, refs, tasks, notes, known)


@pytest.fixture
def api(district: District) -> schemathesis.schemas.BaseSchema:
    phases = {"coverage": {"enabled": district.role == THOROUGH_ROLE}}
    config = SchemathesisConfig.from_dict({"phases": phases})
    schema = schemathesis.openapi.from_asgi("/schema/openapi.json", district.app, config=config)

    @schema.hook("flatmap_path_parameters")
    def existing_ids(_: Any, path: dict[str, Any] | None) -> st.SearchStrategy[Any]:
        """Made-up ids only ever find nothing: half the time, use ids the store has."""
        if not path:  # None for an operation without path parameters
            return st.just(path)
        if "task_id" in path:
            pairs = st.sampled_from(district.tasks).map(lambda p: {"ref": p[0], "task_id": p[1]})
        elif "note_id" in path:
            pairs = st.sampled_from(district.notes).map(lambda p: {"ref": p[0], "note_id": p[1]})
        elif "ref" in path:
            pairs = st.sampled_from(district.refs).map(lambda ref: {"ref": ref})
        else:
            pairs = st.just({})
        others = st.fixed_dictionaries(
            {name: st.sampled_from(district.known[name]) for name in path if name in district.known}
        )
        real = st.tuples(pairs, others).map(lambda ids: {**path, **ids[0], **ids[1]})
        return st.one_of(st.just(path), real)

    return schema


schema = schemathesis.pytest.from_fixture("api")


# `role` parametrizes the fixtures; named here because schemathesis's wrapper hides the test's
# own arguments from pytest.
@pytest.mark.usefixtures("role")
@schema.parametrize()
@hypothesis.settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,  # the same requests on every run
    database=None,  # nothing carried over from earlier runs either
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_api_answers_as_documented(case: Any, district: District) -> None:
    case.call_and_validate(headers=district.headers, excluded_checks=EXCLUDED_CHECKS)
