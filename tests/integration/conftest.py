from collections.abc import Iterator

import pytest

from domain.people import Actor
from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady

LEAD = Actor("m.alvarez", "crisis-lead")
COUNSELOR = Actor("k.okafor", "counselor")


@pytest.fixture
def app(database_url: str) -> Iterator[Steady]:
    steady = open_steady(Settings(database_url=database_url))
    yield steady
    steady.close()


def open_lockdown(app: Steady, **options) -> str:
    return app.open_incident(
        title="Lockdown after a report of a weapon",
        kind="lockdown",
        severity=1,
        schools=["Roosevelt High School"],
        summary="Police responded to an anonymous tip.",
        actor=LEAD,
        **options,
    ).reference
