"""One writer per incident: responders writing into one incident at once are all heard, each
change exactly once, and a refused command costs the others nothing."""

import threading
import time
from datetime import datetime

import pytest
from eventsourcing.persistence import IntegrityError

from domain.errors import DomainError
from domain.incident import Incident
from domain.people import Actor
from service.incidents.application import Steady
from service.store.retrying import TooBusy
from tests.builders import COUNSELOR, LEAD, open_lockdown

POPO = {"PERSISTENCE_MODULE": "eventsourcing.popo"}


def teachers(count: int) -> list[Actor]:
    return [Actor(f"teacher.{n:03}", "teacher") for n in range(count)]


def at_once(work: list) -> list:
    """Runs every piece of work in its own thread, all released together; their outcomes."""
    start = threading.Barrier(len(work))
    outcomes: list = [None] * len(work)

    def run(index: int) -> None:
        start.wait()
        try:
            outcomes[index] = work[index]()
        except Exception as error:
            outcomes[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def note_texts(app: Steady, ref: str) -> list[str]:
    return [note.text for note in app.incident(ref).notes.values()]


def test_a_hundred_teachers_reporting_at_once_are_all_recorded_once(monkeypatch):
    app = Steady(POPO)
    ref = open_lockdown(app)
    people = teachers(100)
    saves: list[int] = []
    save = app.writers._save

    def durable_save(*aggregates):  # as long as a commit that waits for the disk
        time.sleep(0.005)
        saves.append(len(aggregates))
        return save(*aggregates)

    monkeypatch.setattr(app.writers, "_save", durable_save)
    outcomes = at_once(
        [
            lambda actor=actor: app.add_note(ref, f"Room of {actor.user}: all safe", actor=actor)
            for actor in people
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    texts = note_texts(app, ref)
    assert sorted(texts) == sorted(f"Room of {a.user}: all safe" for a in people)
    # Each answer names its own change: its version holds that teacher's note.
    events = {e.version: e for e in app.incident_events(ref)}
    for actor, result in zip(people, outcomes, strict=True):
        assert events[result.version].event.actor["user"] == actor.user
        assert events[result.version].position == result.position
    assert len({result.version for result in outcomes}) == 100
    assert len(saves) < 50  # they queued behind each other and were saved together


def test_a_refused_command_fails_alone_and_the_others_are_saved():
    app = Steady(POPO)
    ref = open_lockdown(app)
    work = []
    for number in range(30):
        if number % 3:
            work.append(lambda n=number: app.add_note(ref, f"Update {n}", actor=COUNSELOR))
        else:  # there is no such task
            work.append(lambda: app.change_task_status(ref, "T99", "done", actor=COUNSELOR))
    outcomes = at_once(work)
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refused) == 10 and all(isinstance(o, LookupError | DomainError) for o in refused)
    assert sorted(note_texts(app, ref)) == sorted(f"Update {n}" for n in range(30) if n % 3)


def test_a_command_refused_after_recording_part_of_its_change_leaves_nothing_of_it():
    app = Steady(POPO)
    ref = open_lockdown(app)
    first_is_deciding = threading.Event()
    others_waiting = threading.Event()

    def slow(incident: Incident, now: datetime, actor: Actor) -> dict:
        first_is_deciding.set()
        others_waiting.wait(5)  # the next commands queue behind this one and share a batch
        incident.add_note("First", actor=actor, at=now)
        return {}

    def half_done(incident: Incident, now: datetime, actor: Actor) -> dict:
        incident.add_note("Half of a change", actor=actor, at=now)
        raise DomainError("refused after its first event")

    def execute(change, **options):
        return lambda: app._execute(ref, "test", {}, change, actor=LEAD, **options)

    def note(text: str):
        return lambda: app.add_note(ref, text, actor=COUNSELOR)

    results: dict[str, object] = {}
    first = threading.Thread(target=lambda: results.update(first=execute(slow)()))
    first.start()
    first_is_deciding.wait(5)
    queued = [note("Before"), execute(half_done), note("After")]
    threads = []
    for number, work in enumerate(queued):

        def run(work=work, number=number) -> None:
            try:
                results[str(number)] = work()
            except Exception as error:
                results[str(number)] = error

        threads.append(threading.Thread(target=run))
        threads[-1].start()
    while len(app.writers._queues[app.find(ref)].waiting) < 3:
        pass
    others_waiting.set()
    for thread in [first, *threads]:
        thread.join()

    assert isinstance(results["1"], DomainError)
    assert sorted(note_texts(app, ref)) == ["After", "Before", "First"]
    assert app.incident(ref).version == len(app.incident_events(ref))


def test_a_command_based_on_a_version_is_checked_against_what_was_saved_since():
    app = Steady(POPO)
    ref = open_lockdown(app)
    task = app.add_task(ref, title="Call the family", owner_role="counselor", actor=LEAD)
    based_on = task.version
    outcomes = at_once(
        [
            lambda: app.change_task_status(ref, task.detail["task_id"], "in_progress", actor=LEAD),
            *[lambda: app.add_note(ref, "Hall clear", actor=COUNSELOR) for _ in range(5)],
        ]
    )
    assert not [o for o in outcomes if isinstance(o, Exception)]
    with pytest.raises(DomainError, match="changed after version"):
        app.change_task_status(
            ref, task.detail["task_id"], "done", note="Called", actor=LEAD,
            based_on_version=based_on,
        )  # fmt: skip


def others_always_save_first(monkeypatch, app: Steady) -> None:
    """Every save of the app's writers is refused as if another process had saved first."""

    def another_process_won(*aggregates):
        raise IntegrityError("another writer saved this version first")

    monkeypatch.setattr(app.writers, "_save", another_process_won)
    monkeypatch.setattr("service.incidents.writers.pause", lambda attempt: None)


def test_when_other_writers_always_save_first_the_command_says_so_and_saves_nothing(
    monkeypatch,
):
    app = Steady(POPO)
    ref = open_lockdown(app)
    version = app.incident(ref).version
    others_always_save_first(monkeypatch, app)
    with pytest.raises(TooBusy, match="changing too fast"):
        app.add_note(ref, "Lost?", actor=COUNSELOR)
    assert app.incident(ref).version == version
