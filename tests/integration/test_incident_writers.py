"""Writers on one incident from several processes on one store, snapshots of long incidents,
and what a client is told when the writers cannot get a change in."""

import threading

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.integrity import verify_incident
from service.incidents.snapshots import SNAPSHOT_INTERVAL
from service.store.folding import fold
from tests.builders import COUNSELOR, LEAD, open_lockdown, signed_in_app
from tests.unit.test_incident_writers import others_always_save_first, teachers


def test_writers_in_two_processes_on_one_incident_are_all_recorded_once(postgres_url):
    one = open_steady(Settings(database_url=postgres_url))
    other = open_steady(Settings(database_url=postgres_url))
    try:
        ref = open_lockdown(one)
        people = teachers(16)
        failures: list[BaseException] = []

        def report(app, actor) -> None:
            try:
                for round_ in range(5):
                    app.add_note(ref, f"{actor.user} round {round_}: all safe", actor=actor)
            except BaseException as error:
                failures.append(error)

        threads = [
            threading.Thread(target=report, args=(one if n % 2 else other, actor))
            for n, actor in enumerate(people)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert not failures, failures[0]
        for app in (one, other):
            texts = sorted(note.text for note in app.incident(ref).notes.values())
            assert texts == sorted(
                f"{a.user} round {r}: all safe" for a in people for r in range(5)
            )
    finally:
        other.close()
        one.close()


def test_a_process_starting_cold_loads_a_long_incident_from_its_latest_snapshot(database_url):
    writer = open_steady(Settings(database_url=database_url))
    try:
        ref = open_lockdown(writer)
        for number in range(2 * SNAPSHOT_INTERVAL + 20):
            writer.add_note(ref, f"Update {number}", actor=COUNSELOR)
        latest = writer.incident(ref)
    finally:
        writer.close()

    cold = open_steady(Settings(database_url=database_url))
    try:
        reads: list[int | None] = []
        get = cold.events.get

        def counted(originator_id, *args, gt=None, **kwargs):
            reads.append(gt)
            return get(originator_id, *args, gt=gt, **kwargs)

        cold.events.get = counted  # type: ignore[method-assign]
        loaded = cold.incident(ref)
        assert loaded == latest
        assert reads and reads[0] is not None and reads[0] >= 2 * SNAPSHOT_INTERVAL
        cold.events.get = get  # type: ignore[method-assign]
        # The snapshot is only a shortcut: the events alone give the same incident.
        assert fold(None, cold.events.get(cold.find(ref))) == loaded
        # And the loaded incident takes commands, its hash chain unbroken.
        cold.add_note(ref, "After the restart", actor=LEAD)
        assert verify_incident(cold, cold.find(ref)).intact
    finally:
        cold.close()


def test_a_change_the_writers_cannot_get_in_is_a_503_with_retry_after(database_url, monkeypatch):
    with signed_in_app(database_url) as signed:
        steady = signed.client.app.state.steady
        ref = open_lockdown(steady)
        version = steady.incident(ref).version
        others_always_save_first(monkeypatch, steady)
        response = signed.client.post(
            f"/api/v1/incidents/{ref}/notes",
            json={"text": "Room 12 all safe"},
            headers=signed.headers["m.alvarez"],
        )
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"] == "1"
        assert "nothing was saved" in response.json()["error"]
        assert steady.incident(ref).version == version
