"""Names, notes and free text are not in the stored rows in clear text, on either store."""

import pytest

from service.bootstrap import open_steady
from service.config import ConfigError, Settings
from service.keys import generate_key
from tests.integration.conftest import COUNSELOR, LEAD
from tests.integration.test_tamper import Rows

NAME = "Jordan Rivera"


def all_stored_bytes(database_url: str, incident_id) -> bytes:
    rows = Rows(database_url, incident_id)
    try:
        stored = rows.run("SELECT originator_id, topic, state FROM {table}")
    finally:
        rows.close()
    return b"\n".join(str(r[0]).encode() + str(r[1]).encode() + bytes(r[2]) for r in stored)


def test_a_known_student_name_is_not_stored_in_clear_text(app, database_url):
    opened = app.open_incident(
        title="Death of a student",
        kind="death",
        severity=2,
        schools=["Jefferson Middle School"],
        summary=f"{NAME} (S-1042) died in a collision; family asked for privacy.",
        actor=LEAD,
    )
    app.add_note(
        opened.reference, f"Spoke with {NAME}'s mother; follow-up Friday.", actor=COUNSELOR
    )
    app.add_task(
        opened.reference, title=f"Follow {NAME}'s schedule", owner_role="counselor", actor=LEAD
    )
    raw = all_stored_bytes(database_url, opened.incident_id)
    assert raw.count(b"domain.incident:Incident") >= 3  # the rows are there...
    for secret in (NAME, "Rivera", "collision", "follow-up Friday"):
        assert secret.encode() not in raw  # ...but their content is not readable
    assert NAME in app.incident(opened.reference).summary  # while Steady reads it back


def test_without_the_right_key_the_events_cannot_be_read(database_url):
    app = open_steady(Settings(database_url=database_url))
    ref = app.open_incident(
        title="Lockdown", kind="lockdown", severity=1, schools=["Roosevelt High School"], actor=LEAD
    ).reference
    app.close()
    other = open_steady(Settings(database_url=database_url, cipher_key=generate_key()))
    with pytest.raises(Exception):  # noqa: B017  the cipher refuses; nothing is shown
        other.incident(ref)
    other.close()


def test_postgres_refuses_to_start_without_a_key(postgres_url):
    with pytest.raises(ConfigError, match="STEADY_CIPHER_KEY is required with PostgreSQL"):
        open_steady(Settings(database_url=postgres_url, cipher_key=""))


def test_sqlite_keeps_its_own_key_beside_the_database_readable_by_its_owner_only(tmp_path):
    url = f"sqlite:///{tmp_path}/district.db"
    app = open_steady(Settings(database_url=url, cipher_key=""))
    ref = app.open_incident(
        title="Storm", kind="severe-weather", severity=3, schools=["Lincoln Elementary"], actor=LEAD
    ).reference
    app.close()
    key_file = tmp_path / "district.db.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    again = open_steady(Settings(database_url=url, cipher_key=""))
    assert again.incident(ref).title == "Storm"
    again.close()


def test_a_malformed_key_is_refused_with_how_to_make_one(sqlite_url):
    with pytest.raises(ConfigError, match="steady keys generate"):
        open_steady(Settings(database_url=sqlite_url, cipher_key="not-a-key"))
