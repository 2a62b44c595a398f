"""No Docker engine runs here, so check that compose.yaml parses and agrees with the service."""

from pathlib import Path
from urllib.parse import urlsplit

import yaml

from service.config import VARIABLES, Settings

ROOT = Path(__file__).resolve().parents[2]


def test_compose_wires_steady_to_its_postgres_by_the_variables_the_service_reads():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    postgres, steady = compose["services"]["postgres"], compose["services"]["steady"]
    assert set(steady["environment"]) <= set(VARIABLES)
    url = steady["environment"]["STEADY_DATABASE_URL"]
    settings = Settings.from_env(steady["environment"])
    assert settings.is_postgres
    assert steady["environment"]["STEADY_CIPHER_KEY"].startswith("${STEADY_CIPHER_KEY:?")
    parts = urlsplit(url)
    db_env = postgres["environment"]
    assert parts.hostname == "postgres"
    assert (parts.username, parts.password, parts.path.lstrip("/")) == (
        db_env["POSTGRES_USER"],
        db_env["POSTGRES_PASSWORD"],
        db_env["POSTGRES_DB"],
    )
    assert steady["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in compose["volumes"]
    assert steady["build"] == "." and (ROOT / "Dockerfile").exists()
    assert steady["command"][0] == "serve" and "8000:8000" in steady["ports"]


def test_readme_documents_every_variable():
    readme = (ROOT / "README.md").read_text()
    for variable in VARIABLES:
        assert variable in readme
