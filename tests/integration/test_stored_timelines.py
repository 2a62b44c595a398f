"""Told timelines stored beside the events: the projector writes what telling the stream in one go
gives, whatever batches the events come in and whichever incidents they interleave with; readers
get them without telling, but never an out-of-date one; and they can be thrown away and rebuilt.
Each test runs on SQLite and on PostgreSQL."""

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from eventsourcing.postgres import PostgresApplicationRecorder

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady
from service.timelines.narration import narrate
from service.timelines.projection import TimelineProjector
from service.timelines.reading import Timelines
from service.timelines.stored import StoredTimelines
from service.timelines.stored_dialects import ENTRIES
from tests.builders import COUNSELOR, LEAD, ZONE, open_lockdown, signed_in_app, story


@dataclass
class Store:
    writer: Steady
    reader: Steady  # another instance, as a freshly started server is: nothing in memory
    stored: StoredTimelines  # the reader's
    timelines: Timelines  # the reader's


@pytest.fixture
def store(database_url) -> Iterator[Store]:
    writer = open_steady(Settings(database_url=database_url))
    reader = open_steady(Settings(database_url=database_url))
    timelines = Timelines(reader)
    stored = timelines.stored(ZONE.key)
    assert stored is not None
    yield Store(writer, reader, stored, timelines)
    reader.close()
    writer.close()


def from_scratch(app: Steady, ref: str) -> list[dict]:
    return narrate(app.incident_events(ref), ZONE)


def busy_day(app: Steady) -> list[str]:
    """Three incidents whose events interleave in the log, corrections among them."""
    refs = [story(app).ref, open_lockdown(app), open_lockdown(app)]
    for round_ in range(3):
        for ref in refs:
            app.add_note(ref, f"Round {round_}: families called", actor=COUNSELOR)
        app.correct_note(
            refs[1], f"N{round_ + 1}", f"Round {round_}: 30 families", reason="count", actor=LEAD
        )
    return refs


def test_the_stored_timeline_is_the_one_told_from_the_stream(store):
    refs = busy_day(store.writer)
    projector = TimelineProjector(store.reader, store.stored, max_tellers=1)  # tellers rebuilt
    projector.catch_up()

    for ref in refs:
        outline, entries = store.stored.read(store.reader.find(ref))
        assert entries == from_scratch(store.reader, ref)
        assert outline.reference == ref
        assert outline.version == len(entries)
    first = store.stored.read(store.reader.find(refs[0]))[0]
    assert first.title == "Lockdown after a report of a weapon"
    assert [title for _, title in first.tasks][-1] == "Call the family"


def test_events_that_come_in_later_batches_extend_it_and_correct_earlier_entries(store):
    ref = open_lockdown(store.writer)
    store.writer.add_note(ref, "Support room in 114", actor=COUNSELOR)
    projector = TimelineProjector(store.reader, store.stored)
    projector.catch_up()
    # Later, as the follower hands them over: a correction of a note stored in an earlier batch.
    store.writer.correct_note(ref, "N1", "Support room in 214", reason="wrong room", actor=LEAD)
    store.writer.add_note(ref, "Counselors in 214 until 5 pm", actor=COUNSELOR)
    projector.fold(store.reader.events_after(projector.position, 10))

    _, entries = store.stored.read(store.reader.find(ref))
    assert entries == from_scratch(store.reader, ref)
    assert entries[1]["corrected_by"]["note_id"] == "N2"
    assert entries[1]["corrected_by"]["reason"] == "wrong room"


def test_a_reader_gets_the_stored_timeline_without_telling_it(store):
    ref = busy_day(store.writer)[0]
    projector = TimelineProjector(store.reader, store.stored)
    projector.catch_up()

    whole = store.timelines.told(ref, ZONE)
    assert list(whole.entries) == from_scratch(store.reader, ref)
    assert len(store.timelines.cache) == 0  # nothing told: it came from the store
    assert whole.reference == ref and whole.version == len(whole.entries)
    assert whole.roles == ("crisis-lead", "counselor", "principal")
    assert whole.tasks[0] == ("T1", "Call Lockdown or Secure in plain language")
    assert whole.tasks[-1] == (
        store.reader.incident(ref).tasks[whole.tasks[-1][0]].id,
        "Call the family",
    )


def test_a_reader_never_gets_a_stored_timeline_that_is_behind_the_stream(store):
    ref = open_lockdown(store.writer)
    projector = TimelineProjector(store.reader, store.stored)
    projector.catch_up()
    # Written after the projector last ran, and it is not running: the stored one is behind.
    store.writer.add_note(ref, "Parents' meeting at 6 pm", actor=COUNSELOR)

    whole = store.timelines.told(ref, ZONE)
    assert whole.entries[-1]["text"].endswith("'Parents' meeting at 6 pm'")
    assert list(whole.entries) == from_scratch(store.reader, ref)
    assert len(store.timelines.cache) == 1  # told from the stream instead


def test_stored_timelines_can_be_thrown_away_and_rebuilt_the_same(store):
    refs = busy_day(store.writer)
    projector = TimelineProjector(store.reader, store.stored)
    projector.catch_up()
    before = [store.stored.read(store.reader.find(ref)) for ref in refs]

    store.stored.forget()
    assert store.stored.read(store.reader.find(refs[0])) is None
    assert store.stored.tracked_position() == 0
    rebuilt = TimelineProjector(store.reader, store.stored)
    rebuilt.catch_up()
    assert [store.stored.read(store.reader.find(ref)) for ref in refs] == before


def test_projecting_again_or_from_two_processes_changes_nothing(store):
    refs = busy_day(store.writer)
    first = TimelineProjector(store.reader, store.stored)
    first.catch_up()
    before = [store.stored.read(store.reader.find(ref)) for ref in refs]

    # Another server on the same store, which has not seen the tracking position: it tells the
    # whole log again, from the start, and writes it over what is there.
    other = Timelines(store.writer).stored(ZONE.key)
    again = TimelineProjector(store.writer, other)
    again.fold(store.writer.events_after(0, 1000))
    assert [store.stored.read(store.reader.find(ref)) for ref in refs] == before
    assert store.stored.tracked_position() == first.position


def refuse_writes(app: Steady, refuse: bool) -> None:
    """Makes the store refuse (or accept again) every stored entry, as a failing disk would."""
    postgres = isinstance(app.recorder, PostgresApplicationRecorder)
    if refuse and postgres:
        statements = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql "
            "AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$",
            f"CREATE TRIGGER refuse BEFORE INSERT ON {ENTRIES} "
            "FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    elif refuse:
        statements = [
            f"CREATE TRIGGER refuse BEFORE INSERT ON {ENTRIES} "
            "BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ]
    else:
        statements = [f"DROP TRIGGER refuse{f' ON {ENTRIES}' if postgres else ''}"]
    with app.recorder.datastore.transaction(commit=True) as curs:
        for statement in statements:
            curs.execute(statement)


def test_a_failed_write_loses_nothing_the_next_batch_catches_up(store, caplog):
    ref = open_lockdown(store.writer)
    projector = TimelineProjector(store.reader, store.stored)
    projector.catch_up()
    refuse_writes(store.writer, True)
    store.writer.add_note(ref, "Support room in 114", actor=COUNSELOR)
    with caplog.at_level(logging.ERROR):
        projector.fold(store.reader.events_after(projector.position, 10))  # must not raise
    assert "storing told timelines failed" in caplog.text
    assert store.stored.read(store.reader.find(ref))[0].version == 1  # the note is not there

    refuse_writes(store.writer, False)
    store.writer.add_note(ref, "Counselors until 5 pm", actor=COUNSELOR)
    projector.fold(store.reader.events_after(projector.position, 10))  # only the newest event
    _, entries = store.stored.read(store.reader.find(ref))
    assert entries == from_scratch(store.reader, ref)
    assert len(entries) == 3


def test_each_time_zone_has_its_own_stored_timelines(store):
    ref = open_lockdown(store.writer)
    for zone in (ZONE.key, "Europe/London"):
        projector = TimelineProjector(store.reader, store.timelines.stored(zone))
        projector.catch_up()
    incident_id = store.reader.find(ref)
    chicago = store.stored.read(incident_id)[1][0]
    london = store.timelines.stored("Europe/London").read(incident_id)[1][0]
    assert chicago["at_text"].endswith(("CST", "CDT"))
    assert london["at_text"].endswith(("GMT", "BST"))


def test_a_server_stores_timelines_as_events_arrive_and_reads_them_from_the_store(database_url):
    with signed_in_app(database_url) as signed:
        client, headers = signed.client, signed.headers["a.kim"]  # the demo auditor
        server: Steady = client.app.state.steady
        zone = client.app.state.settings.zone()
        elsewhere = open_steady(Settings(database_url=database_url))  # another server process
        try:
            ref = story(elsewhere).ref

            def read() -> list[dict]:
                response = client.get(f"/api/v1/incidents/{ref}/timeline", headers=headers)
                assert response.status_code == 200, response.text
                return response.json()["entries"]

            # The server's projector stores the new incident within its poll (0.2 s here).
            stored = client.app.state.timelines.stored(zone.key)
            deadline = time.monotonic() + 10
            while stored.read(server.find(ref)) is None and time.monotonic() < deadline:
                time.sleep(0.05)
            assert read() == narrate(server.incident_events(ref), zone)
            # Now one more event, from another process: the read waits for the projector.
            elsewhere.add_note(ref, "Parents' meeting at 6 pm", actor=COUNSELOR)
            latest = read()
            assert (
                latest[-1]["text"]
                == "k.okafor (counselor) added note N3: 'Parents' meeting at 6 pm'"
            )
            assert latest == narrate(server.incident_events(ref), zone)
            assert len(client.app.state.timelines.cache) == 0  # both read from the stored timeline
        finally:
            elsewhere.close()


def test_a_release_that_tells_differently_does_not_read_what_an_earlier_one_stored(store):
    ref = open_lockdown(store.writer)
    TimelineProjector(store.reader, store.stored).catch_up()
    incident_id = store.reader.find(ref)
    assert store.stored.read(incident_id) is not None

    # The same store and zone, read by code whose sentences changed: it starts afresh.
    next_release = StoredTimelines(
        store.reader.recorder, ZONE.key, cipher=store.reader.mapper.cipher, edition="next-release"
    )
    assert next_release.read(incident_id) is None
    assert next_release.tracked_position() == 0
    TimelineProjector(store.reader, next_release).catch_up()
    assert next_release.read(incident_id) == store.stored.read(incident_id)
