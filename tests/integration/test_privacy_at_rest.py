"""Names, notes and free text are not in the stored rows in clear text, on either store."""

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from domain.people import Actor
from service.bootstrap import open_steady
from service.config import ConfigError, Settings
from service.incidents.application import Steady
from service.outbox.tables import MESSAGES
from service.store.keys import generate_key
from service.timelines.narration import narrate
from service.timelines.projection import TimelineProjector
from service.timelines.reading import Timelines
from service.timelines.sealing import decrypter
from service.timelines.stored_dialects import ENTRIES, OUTLINES, TRACKING
from tests.builders import COUNSELOR, LEAD, signed_in_app
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


# -- every table Steady writes, and the SQLite files, byte for byte --------------------------

STUDENT = "Tamsin Okonkwo-Baird"  # a name that appears nowhere else in Steady
SECRETS = (
    STUDENT,
    "Okonkwo-Baird",
    "Bereavement for the Willow class",  # the incident's title
    "wept at the bus stop",  # the summary
    "Walk Tamsin to the quiet room",  # a task title
    "spare key in the blue tin",  # a task's instructions
    "mother phoned at 7",  # a note
    "grandmother phoned at 8",  # its correction
    "misheard the caller",  # the correction's reason
    "waiting on the family liaison",  # a reason a task is blocked
    "escalated after the vigil",  # a reason the severity changed
    "m.alvarez",  # the writers' usernames
    "k.okafor",
    "Maria Alvarez",  # and their names, from the accounts
    "Kemi Okafor",
)


def every_table(database_url: str) -> dict[str, list[bytes]]:
    """Every row of every table in the store, each as the bytes of all its columns."""

    def as_bytes(value: object) -> bytes:
        if isinstance(value, bytes | bytearray | memoryview):
            return bytes(value)
        return str(value).encode()

    if database_url.startswith("sqlite:///"):
        conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
        try:
            names = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            ]
            return {
                name: [
                    b"|".join(map(as_bytes, row))
                    for row in conn.execute(f'SELECT * FROM "{name}"').fetchall()
                ]
                for name in names
            }
        finally:
            conn.close()
    with psycopg.connect(database_url) as conn:
        names = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchall()
        return {
            f"{schema}.{name}": [
                b"|".join(map(as_bytes, row))
                for row in conn.execute(
                    SQL("SELECT * FROM {}.{}").format(Identifier(schema), Identifier(name))
                ).fetchall()
            ]
            for schema, name in names
        }


def sqlite_files(database_url: str) -> dict[str, bytes]:
    """The database file and its -wal and -shm files, as they are on disk now."""
    if not database_url.startswith("sqlite:///"):
        return {}
    path = Path(database_url.removeprefix("sqlite:///"))
    files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
    return {f.name: f.read_bytes() for f in files if f.exists()}


def clear_text_found(database_url: str, secrets: Sequence[str]) -> list[str]:
    found = [
        f"{secret!r} in {table}"
        for table, rows in every_table(database_url).items()
        for secret in secrets
        if any(secret.encode() in row for row in rows)
    ]
    found += [
        f"{secret!r} in the file {name}"
        for name, data in sqlite_files(database_url).items()
        for secret in secrets
        if secret.encode() in data
    ]
    return found


def test_no_table_steady_writes_and_no_database_file_holds_personal_text(database_url):
    lead, counselor = Actor("m.alvarez", "crisis-lead"), Actor("k.okafor", "counselor")
    with signed_in_app(database_url) as signed:  # the accounts, the view log, a projector
        server: Steady = signed.client.app.state.steady
        zone = signed.client.app.state.settings.zone()
        ref = server.open_incident(
            title="Bereavement for the Willow class",
            kind="death",
            severity=3,
            schools=["Jefferson Middle School"],
            summary=f"{STUDENT} wept at the bus stop this morning.",
            actor=lead,
            idempotency_key="open-bereavement-1",
        ).reference
        task = server.add_task(
            ref,
            title="Walk Tamsin to the quiet room",
            owner_role="counselor",
            instructions="The spare key in the blue tin opens it.",
            actor=lead,
        ).detail["task_id"]
        server.change_task_status(
            ref, task, "blocked", reason="waiting on the family liaison", actor=counselor
        )
        server.add_note(ref, f"{STUDENT}'s mother phoned at 7.", actor=counselor)
        server.correct_note(
            ref,
            "N1",
            f"{STUDENT}'s grandmother phoned at 8.",
            reason="misheard the caller",
            actor=counselor,
        )
        server.change_severity(ref, 2, reason="escalated after the vigil", actor=lead)
        # An urgent task: the outbox holds an email to m.alvarez with its title.
        server.add_task(
            ref,
            title="Walk Tamsin to the quiet room",
            owner_role="crisis-lead",
            urgent=True,
            actor=lead,
        )
        signed.client.app.state.reminders.catch_up()
        # Read as a reader would: the timeline through the API, the page (a view is logged).
        auditor = signed.headers["a.kim"]
        assert signed.client.get(f"/incidents/{ref}", headers=auditor).status_code == 200
        assert signed.client.app.state.viewing.flush()
        stored = signed.client.app.state.timelines.stored(zone.key)
        assert stored is not None
        TimelineProjector(server, stored).catch_up()

        expected = narrate(server.incident_events(ref), zone)
        outline, entries = stored.read(server.find(ref))
        assert entries == expected  # Steady reads its stored timeline back...
        assert outline.title == "Bereavement for the Willow class"
        assert outline.tasks[0] == (task, "Walk Tamsin to the quiet room")
        assert "grandmother phoned at 8" in entries[4]["text"]
        assert entries[3]["corrected_by"]["reason"] == "misheard the caller"
        response = signed.client.get(f"/api/v1/incidents/{ref}/timeline", headers=auditor)
        assert response.json()["entries"] == expected

        tables = every_table(database_url)
        for derived in (ENTRIES, OUTLINES):  # ...so the scan below is not of empty tables
            (rows,) = [rows for name, rows in tables.items() if name.endswith(derived)]
            assert len(rows) >= len(expected) if derived == ENTRIES else len(rows) >= 1
        (outbox,) = [rows for name, rows in tables.items() if name.endswith(MESSAGES)]
        assert len(outbox) == 1
        assert clear_text_found(database_url, SECRETS) == []  # ...while it is running
    assert clear_text_found(database_url, SECRETS) == []  # and once it has stopped


class Store:
    """Direct access to the store's tables, as an earlier release or someone reading would."""

    def __init__(self, database_url: str) -> None:
        if database_url.startswith("sqlite:///"):
            self.conn: Any = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            self.mark, self.key = "?", lambda incident_id: incident_id.hex
        else:
            self.conn = psycopg.connect(database_url)
            self.mark, self.key = "%s", lambda incident_id: incident_id

    def run(self, sql: str, *params: Any) -> list:
        cursor = self.conn.execute(sql.replace("?", self.mark), params)
        rows = cursor.fetchall() if cursor.description else []
        self.conn.commit()
        return rows

    def close(self) -> None:
        self.conn.close()


def test_rows_an_earlier_release_left_in_clear_text_are_gone_after_a_restart(database_url):
    zone = "America/Chicago"
    app = open_steady(Settings(database_url=database_url))
    ref = app.open_incident(
        title="Bereavement for the Willow class",
        kind="death",
        severity=3,
        schools=["Jefferson Middle School"],
        summary=f"{STUDENT} wept at the bus stop this morning.",
        actor=LEAD,
    ).reference
    app.add_note(ref, f"{STUDENT}'s mother phoned at 7.", actor=COUNSELOR)
    incident_id = app.find(ref)
    entries = narrate(app.incident_events(ref), ZoneInfo(zone))
    TimelineProjector(app, Timelines(app).stored(zone)).catch_up()  # the tables exist
    # What the earlier release stored (format 1): the telling was the zone and the edition, and
    # entries and outline were plain JSON. Its projector went on writing while it ran...
    store = Store(database_url)
    old = f"{zone} 0123456789abcdef"
    for entry in entries:
        store.run(
            f"INSERT INTO {ENTRIES} VALUES (?, ?, ?, ?)",
            old,
            store.key(incident_id),
            entry["version"],
            json.dumps(entry).encode(),
        )
    store.close()
    app.close()  # ...until it stopped (on SQLite its log went into the database file)
    store = Store(database_url)  # and then some more (on SQLite, in the log)
    outline = {"reference": ref, "title": "Bereavement for the Willow class", "tasks": []}
    store.run(
        f"INSERT INTO {OUTLINES} VALUES (?, ?, ?, ?)",
        old,
        store.key(incident_id),
        len(entries),
        json.dumps(outline).encode(),
    )
    store.run(f"INSERT INTO {TRACKING} VALUES (?, ?)", old, 2)
    secrets = (STUDENT, "mother phoned at 7", "Bereavement for the Willow class", "k.okafor")
    assert len(clear_text_found(database_url, secrets)) >= len(secrets)  # there, to begin with

    restarted = open_steady(Settings(database_url=database_url))
    try:
        stored = Timelines(restarted).stored(zone)  # as a server does when it starts
        assert stored is not None
        for table in (ENTRIES, OUTLINES, TRACKING):
            assert store.run(f"SELECT count(*) FROM {table} WHERE telling = ?", old) == [(0,)]
        assert clear_text_found(database_url, secrets) == []  # not in a table, nor in a file
        # This release's own rows are kept, and read back.
        assert stored.read(incident_id)[1] == entries
    finally:
        restarted.close()
        store.close()
    assert clear_text_found(database_url, secrets) == []


def test_a_sealed_row_moved_to_another_row_is_not_trusted(app, database_url):
    zone = ZoneInfo("America/Chicago")
    ref = app.open_incident(
        title="Storm", kind="severe-weather", severity=3, schools=["Lincoln Elementary"], actor=LEAD
    ).reference
    app.add_note(ref, "Buses held until 4 pm", actor=COUNSELOR)
    stored = Timelines(app).stored(zone.key)
    TimelineProjector(app, stored).catch_up()
    incident_id = app.find(ref)
    assert stored.read(incident_id)[1] == narrate(app.incident_events(ref), zone)
    store = Store(database_url)
    try:  # the note's blob copied over the opening's row: it decrypts, but not for that row
        (note,) = store.run(f"SELECT entry FROM {ENTRIES} WHERE version = 2")
        store.run(f"UPDATE {ENTRIES} SET entry = ? WHERE version = 1", bytes(note[0]))
    finally:
        store.close()
    assert stored.read(incident_id) is None  # not used: a reader tells the events instead
    assert list(Timelines(app).told(ref, zone).entries) == narrate(app.incident_events(ref), zone)


def test_the_quicker_decryption_opens_what_the_stores_cipher_seals(app):
    cipher = app.mapper.cipher
    decrypt = decrypter(cipher)
    assert decrypt is not cipher.decrypt  # the quicker one is used with the library's AESCipher
    sealed = cipher.encrypt(b"what a counselor wrote")
    assert decrypt(sealed) == cipher.decrypt(sealed) == b"what a counselor wrote"
    damaged = sealed[:-1] + bytes([sealed[-1] ^ 1])
    for refused in (damaged, sealed[:20], b""):
        with pytest.raises(ValueError):
            decrypt(refused)
