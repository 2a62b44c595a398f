"""The API's contract, against a running `steady serve`: every request valid by its OpenAPI
document (served at /schema/openapi.json) is taken, and every answer is one the document
describes; and OPTIONS on any API path says which methods it has.

Schemathesis reads the document from the server and sends requests valid by it (positive data
only) to every API operation, as a signed-in crisis lead, over the demo district: a few examples
each, from a fixed seed, so every run sends the same requests. What "taken" allows (a 404 for an
id there is none of, a 422 for a rule of the incident as it stands) is in tests/api_fuzzing.py.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from schemathesis.config import SchemathesisConfig

from domain.kinds import KINDS
from domain.organisation import ORGANISATION_KINDS
from domain.people import ASSIGNEE_KINDS
from domain.phase import Phase
from domain.roles import ROLES
from domain.task import Status
from service.bootstrap import open_steady
from service.config import Settings
from service.demo.accounts import DISTRICT, PARTNER
from tests.api_fuzzing import acceptance, path_ids, tasks_and_notes
from tests.e2e.conftest import RunningServer

pytestmark = pytest.mark.slow
LEAD = "m.alvarez"
EXAMPLES = 4  # valid examples per operation
CHECKS = [
    schemathesis.checks.not_a_server_error,
    schemathesis.checks.status_code_conformance,
    schemathesis.checks.content_type_conformance,
    schemathesis.checks.response_schema_conformance,
    schemathesis.checks.positive_data_acceptance,
]


@pytest.fixture(scope="module")
def contract_server(
    tmp_path_factory: pytest.TempPathFactory, demo_store: Path
) -> Iterator[RunningServer]:
    """One server for the whole module: its store a copy of the demo district."""
    folder = tmp_path_factory.mktemp("contract")
    for part in demo_store.parent.glob(f"{demo_store.name}*"):  # the file, WAL, key
        shutil.copy2(part, folder / part.name)
    server = RunningServer(f"sqlite:///{folder}/steady.db", folder / "server.log")
    server.auth(LEAD)  # the token, issued before the server holds the store
    yield server.start()
    server.stop()


@pytest.fixture(scope="module")
def contract_api(contract_server: RunningServer) -> schemathesis.schemas.BaseSchema:
    steady = open_steady(Settings(database_url=contract_server.database_url))
    try:
        refs = sorted(incident.reference for incident in steady.incidents(include_closed=True))
        tasks, notes = tasks_and_notes(steady, refs)
        playbooks = [playbook.id for playbook in steady.playbooks.all()]
    finally:
        steady.close()
    config = SchemathesisConfig.from_dict(
        {
            "seed": 12,
            "phases": {"coverage": {"enabled": False}},
            "generation": {"mode": "positive", "max-examples": EXAMPLES},
            **acceptance(),
        }
    )
    schema = schemathesis.openapi.from_url(
        f"{contract_server.url}/schema/openapi.json", config=config
    )
    known = {"organisation": [PARTNER[0], DISTRICT[0]], "playbook_id": playbooks}
    schema.hook("flatmap_path_parameters")(path_ids(refs, tasks, notes, known))
    return schema


schema = schemathesis.pytest.from_fixture("contract_api")


@pytest.fixture
def lead(contract_server: RunningServer, request: pytest.FixtureRequest) -> dict[str, str]:
    # schemathesis 4.32 reads `node._nodeid`, which pytest 9.2 no longer has: give it one.
    request.node._nodeid = request.node.nodeid
    return contract_server.auth(LEAD)


@schema.parametrize()
@hypothesis.settings(
    database=None,  # nothing carried over from earlier runs: each sends the same requests
    deadline=None,
    suppress_health_check=list(hypothesis.HealthCheck),
)
def test_a_request_valid_by_the_document_is_taken(case: Any, lead: dict[str, str]) -> None:
    case.call_and_validate(headers=lead, checks=CHECKS)


def test_options_lists_every_method_of_a_path_without_a_body_or_a_sign_in(
    contract_server: RunningServer,
):
    document = httpx.get(f"{contract_server.url}/schema/openapi.json").json()
    # Paths with several methods, registered by different handlers (and, for accounts, behind
    # an admin's guard), and one with a single method.
    for path, expected in [
        ("/api/v1/incidents", {"GET", "POST"}),
        ("/api/v1/accounts", {"GET", "POST"}),
        ("/api/v1/organisations", {"GET", "POST"}),
        ("/api/v1/incidents/{ref}/notes", {"GET", "POST"}),
        ("/api/v1/incidents/{ref}/notes/{note_id}/corrections", {"POST"}),
    ]:
        declared = {method.upper() for method in document["paths"][path]}
        assert declared == expected, path  # what the document says of the path
        answer = httpx.options(contract_server.url + path.replace("{ref}", "INC-2026-0001"))
        assert answer.status_code == 204, (path, answer.text)
        allowed = {method.strip() for method in answer.headers["allow"].split(",")}
        assert allowed == {*expected, "OPTIONS"}, path


def test_the_document_lists_the_domains_closed_sets(contract_server: RunningServer):
    """The enums come from the domain's own lists: a kind, status, phase, role or kind of
    organisation added there is one the document offers."""
    schemas = httpx.get(f"{contract_server.url}/schema/openapi.json").json()["components"]
    schemas = schemas["schemas"]
    offered = {
        ("OpenIncident", "kind"): list(KINDS),
        ("ChangeStatus", "status"): [s.value for s in Status],
        ("AdvancePhase", "phase"): [p.value for p in Phase],
        ("ReopenIncident", "phase"): [*(p.value for p in Phase), None],
        ("Assign", "kind"): list(ASSIGNEE_KINDS),
        ("Role", "role"): list(ROLES),
        ("NewOrganisation", "kind"): list(ORGANISATION_KINDS),
    }
    for (body, name), values in offered.items():
        assert schemas[body]["properties"][name]["enum"] == values, (body, name)
    assert schemas["NewAccount"]["properties"]["roles"]["items"]["enum"] == list(ROLES)
