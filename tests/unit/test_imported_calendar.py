"""An imported calendar's events are a contract: their stored fields are pinned, the text is
kept as imported, and importing again is a new event."""

import json
from datetime import UTC, datetime

from domain.imported_calendar import DISTRICT, ImportedCalendar, scope_for
from domain.people import Actor
from service.incidents.application import Steady

ADMIN = Actor("admin", "admin")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
TEXT = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_the_stored_shape_of_an_import_is_pinned_and_loads_again():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    calendar = ImportedCalendar.start(scope_for("lincoln-elementary"), actor=ADMIN, at=NOW)
    calendar.record_import(TEXT, name="Lincoln 2026-27", source="lincoln.ics", actor=ADMIN, at=NOW)
    started, imported = (app.mapper.to_stored_event(e) for e in calendar.pending_events)
    assert set(json.loads(started.state)) == {"originator_topic", "timestamp", "actor", "scope"}
    assert set(json.loads(imported.state)) == {"timestamp", "actor", "text", "name", "source"}
    app.save(calendar)
    calendar.record_import(TEXT, name="Lincoln 2026-27 v2", source="x.ics", actor=ADMIN, at=NOW)
    app.save(calendar)
    loaded: ImportedCalendar = app.repository.get(
        ImportedCalendar.id_for("school/lincoln-elementary")
    )
    assert (loaded.school, loaded.text, loaded.name, loaded.imports) == (
        "lincoln-elementary",
        TEXT,
        "Lincoln 2026-27 v2",
        2,
    )
    assert loaded.imported_by == ADMIN


def test_scopes_and_ids_hold_nothing_but_the_schools_id():
    assert scope_for(None) == DISTRICT
    assert scope_for(" Lincoln-Elementary ") == "school/lincoln-elementary"
    assert ImportedCalendar.id_for(DISTRICT) != ImportedCalendar.id_for("school/lincoln-elementary")
