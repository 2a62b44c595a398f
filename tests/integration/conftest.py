from collections.abc import Iterator

import pytest

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady


@pytest.fixture
def app(database_url: str) -> Iterator[Steady]:
    steady = open_steady(Settings(database_url=database_url))
    yield steady
    steady.close()
