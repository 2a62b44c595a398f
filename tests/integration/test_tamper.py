"""Rows altered directly in the database are detected and named: modified, missing, reordered."""

import json
import sqlite3
from urllib.parse import urlsplit

import psycopg
import pytest

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.export import check_export, export_incident
from service.incidents.integrity import MISSING, MODIFIED, OUT_OF_ORDER, verify_all, verify_incident
from tests.builders import LEAD, open_lockdown


def five_notes(app) -> str:
    ref = open_lockdown(app)
    for n in range(1, 6):
        app.add_note(ref, f"note {n}", actor=LEAD)  # versions 2 to 6
    return ref


class Rows:
    """Direct access to the stored events, bypassing Steady, as someone tampering would."""

    def __init__(self, database_url: str, incident_id) -> None:
        self.incident_id = incident_id
        if database_url.startswith("sqlite:///"):
            self.conn = sqlite3.connect(database_url.removeprefix("sqlite:///"))
            self.table, self.key, self.mark = "stored_events", incident_id.hex, "?"
        else:
            parts = urlsplit(database_url)
            self.conn = psycopg.connect(
                host=parts.hostname, port=parts.port, user=parts.username, dbname=parts.path[1:]
            )
            self.table, self.key, self.mark = "steady_events", incident_id, "%s"

    def run(self, sql: str, *params) -> list:
        cursor = self.conn.execute(sql.replace("?", self.mark).format(table=self.table), params)
        rows = cursor.fetchall() if cursor.description else []
        self.conn.commit()
        return rows

    def row(self, version: int) -> tuple:
        return self.run(
            "SELECT topic, state FROM {table} WHERE originator_id = ? AND originator_version = ?",
            self.key,
            version,
        )[0]

    def set_row(self, version: int, topic: str, state: bytes) -> None:
        self.run(
            "UPDATE {table} SET topic = ?, state = ? "
            "WHERE originator_id = ? AND originator_version = ?",
            topic,
            state,
            self.key,
            version,
        )

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def tampered(app, database_url):
    ref = five_notes(app)
    incident_id = app.find(ref)
    positions = {e.version: e.position for e in app.incident_events(ref)}
    rows = Rows(database_url, incident_id)
    yield ref, incident_id, positions, rows
    rows.close()


def test_an_untouched_stream_is_intact(app, tampered):
    ref, incident_id, _, _ = tampered
    check = verify_incident(app, incident_id)
    assert check.intact and check.events == 6
    assert check.chain_head == app.incident(ref).chain_head


def test_a_changed_payload_is_named_as_modified(app, tampered):
    """Someone holding the key decrypts an event, changes it and encrypts it again."""
    _, incident_id, positions, rows = tampered
    topic, state = rows.row(4)
    plain = app.mapper.cipher.decrypt(bytes(state))
    assert b"note 3" in plain
    rows.set_row(4, topic, app.mapper.cipher.encrypt(plain.replace(b"note 3", b"note X")))
    check = verify_incident(app, incident_id)
    assert (check.break_kind, check.position, check.version) == (MODIFIED, positions[4], 4)
    assert "version 4 (note_added) was changed" in check.detail


def test_changed_encrypted_bytes_are_named_as_modified(app, tampered):
    """Without the key, a change to the stored bytes makes them unreadable: also detected."""
    _, incident_id, positions, rows = tampered
    topic, state = rows.row(3)
    state = bytearray(state)
    state[len(state) // 2] ^= 0xFF
    rows.set_row(3, topic, bytes(state))
    check = verify_incident(app, incident_id)
    assert (check.break_kind, check.position) == (MODIFIED, positions[3])


def test_a_deleted_row_is_named_as_missing(app, tampered):
    _, incident_id, positions, rows = tampered
    rows.run("DELETE FROM {table} WHERE originator_id = ? AND originator_version = 4", rows.key)
    check = verify_incident(app, incident_id)
    assert (check.break_kind, check.position, check.version) == (MISSING, positions[5], 5)
    assert "version 4 is missing" in check.detail


def test_two_swapped_rows_are_named_as_out_of_order(app, tampered):
    _, incident_id, positions, rows = tampered
    four, five = rows.row(4), rows.row(5)
    rows.set_row(4, five[0], bytes(five[1]))
    rows.set_row(5, four[0], bytes(four[1]))
    check = verify_incident(app, incident_id)
    assert (check.break_kind, check.position, check.version) == (OUT_OF_ORDER, positions[4], 4)


def test_verify_all_reports_each_incident_and_the_cli_exits_non_zero(app, tampered, database_url):
    from tests.cli_runs import steady

    untouched = open_lockdown(app)
    _, _, _, rows = tampered
    rows.run("DELETE FROM {table} WHERE originator_id = ? AND originator_version = 2", rows.key)
    checks = {c.reference: c for c in verify_all(app)}
    assert checks[untouched].intact
    assert sum(not c.intact for c in checks.values()) == 1
    result = steady(database_url, "verify")
    assert result.returncode == 1
    assert "BROKEN at position" in result.stdout and f"{untouched}: intact" in result.stdout


def test_exports_round_trip_and_any_alteration_is_named(app, tampered):
    ref = tampered[0]
    document = json.loads(json.dumps(export_incident(app, ref, exported_at=app.clock())))
    assert check_export(document).ok and check_export(document).events == 6
    assert [e["type"] for e in document["events"]][:2] == ["incident_opened", "note_added"]

    altered = json.loads(json.dumps(document))
    altered["events"][2]["data"]["text"] = "note X"
    assert any("event 3" in p and "altered" in p for p in check_export(altered).problems)

    truncated = json.loads(json.dumps(document))
    truncated["events"].pop()
    assert any("events were removed" in p for p in check_export(truncated).problems)

    gapped = json.loads(json.dumps(document))
    del gapped["events"][1]
    assert any("expected version 2" in p for p in check_export(gapped).problems)

    assert not check_export({"format": "something else"}).ok


def test_export_and_import_check_from_the_command_line(database_url, tmp_path):
    from tests.cli_runs import steady

    app = open_steady(Settings(database_url=database_url))
    ref = five_notes(app)
    app.close()
    out = tmp_path / "export.json"
    assert steady(database_url, "export", ref, "--output", str(out)).returncode == 0
    good = steady(database_url, "import-check", str(out))
    assert good.returncode == 0 and "6 events: complete and unaltered" in good.stdout
    out.write_text(out.read_text().replace('"note 2"', '"note two"'))
    bad = steady(database_url, "import-check", str(out))
    assert bad.returncode == 1 and "its content was altered" in bad.stdout
