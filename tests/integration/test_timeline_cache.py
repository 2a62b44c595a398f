"""A timeline told from the cache is the one the store holds now: what another Steady instance on
the same database wrote appears on the next read, a correction reaches back to the note it
corrects, filters still apply, and readers at once each get a whole timeline. Each test runs on
SQLite and on PostgreSQL."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from service.bootstrap import open_steady
from service.config import Settings
from service.incidents.application import Steady
from service.timelines.cache import TimelineCache
from service.timelines.narration import narrate
from service.timelines.reading import Timelines
from tests.builders import COUNSELOR, LEAD, ZONE, Story, open_lockdown, story
from tests.unit.test_timeline import texts


@dataclass
class Instances:
    reader: Steady  # serves the timeline, with its cache
    writer: Steady  # another instance on the same database, as another server process is
    timelines: Timelines  # the reader's


@pytest.fixture
def instances(database_url) -> Iterator[Instances]:
    reader = open_steady(Settings(database_url=database_url))
    writer = open_steady(Settings(database_url=database_url))
    yield Instances(reader, writer, Timelines(reader))
    writer.close()
    reader.close()


@pytest.fixture
def lockdown(instances) -> Story:
    return story(instances.writer)


def from_scratch(app: Steady, ref: str) -> list[dict]:
    """The timeline told anew from every event in the store, without the cache."""
    return narrate(app.incident_events(ref), ZONE)


def test_what_another_instance_writes_appears_on_the_next_read(instances, lockdown):
    reader, writer, ref = instances.reader, instances.writer, lockdown.ref
    timelines = instances.timelines
    first = timelines.timeline(ref, zone=ZONE)
    assert len(timelines.cache) == 1  # the incident is held now

    writer.add_note(ref, "Parents' meeting at 6 pm in the library", actor=COUNSELOR)
    # The story's own tasks went on in its follow-up when it closed: a new one is worked here.
    meeting = writer.add_task(
        ref, title="Host the parents' meeting", owner_role="counselor", actor=LEAD
    ).detail["task_id"]
    writer.change_task_status(ref, meeting, "in_progress", actor=COUNSELOR)
    after = timelines.timeline(ref, zone=ZONE)

    assert after[: len(first)] == first
    assert texts(after)[len(first) :] == [
        "k.okafor (counselor) added note N3: 'Parents' meeting at 6 pm in the library'",
        f"m.alvarez (crisis-lead) added {meeting} 'Host the parents' meeting' (recovery, owner "
        "counselor)",
        f"k.okafor (counselor) started {meeting} 'Host the parents' meeting'",
    ]
    assert after == from_scratch(reader, ref)
    assert timelines.timeline(ref, zone=ZONE) == after  # nothing new: the same entries


def test_a_correction_reaches_back_to_the_note_it_corrects_and_earlier_reads_stay(
    instances, lockdown
):
    reader, writer, ref = instances.reader, instances.writer, lockdown.ref
    timelines = instances.timelines
    before = timelines.told(ref, ZONE)
    # N2 corrected N1 in the story; now N2 is corrected in turn, by another instance.
    writer.correct_note(ref, "N2", "Support room in 216", reason="moved again", actor=COUNSELOR)
    after = timelines.told(ref, ZONE)

    n2_before = next(e for e in before.entries if e.get("note_id") == "N2")
    n2_after = next(e for e in after.entries if e.get("note_id") == "N2")
    assert n2_after["corrected_by"]["note_id"] == "N3"
    assert n2_after["corrected_by"]["reason"] == "moved again"
    assert after.entries[-1]["corrects"]["original_version"] == n2_after["version"]
    assert "corrected_by" not in n2_before  # what a reader already had did not change under it
    assert list(after.entries) == from_scratch(reader, ref)


def test_filters_apply_to_what_was_appended(instances, lockdown):
    writer, ref = instances.writer, lockdown.ref
    timelines = instances.timelines
    by_counselor = timelines.timeline(ref, zone=ZONE, role="counselor")
    by_task = timelines.timeline(ref, zone=ZONE, task=lockdown.call)
    writer.add_note(ref, "Second call booked", task_id=lockdown.call, actor=COUNSELOR)
    writer.add_note(ref, "Debrief on Monday", actor=LEAD)

    assert texts(timelines.timeline(ref, zone=ZONE, role="counselor")) == [
        *texts(by_counselor),
        f"k.okafor (counselor) added note N3 about {lockdown.call} 'Call the family': "
        "'Second call booked'",
    ]
    assert len(timelines.timeline(ref, zone=ZONE, task=lockdown.call)) == len(by_task) + 1
    notes = timelines.timeline(ref, zone=ZONE, kind="note_added")
    assert texts(notes)[-1] == "m.alvarez (crisis-lead) added note N4: 'Debrief on Monday'"
    later = timelines.timeline(ref, zone=ZONE, phase="recovery")
    assert later[-1]["text"].endswith("'Debrief on Monday'")


def test_readers_at_once_each_get_a_whole_timeline_while_another_instance_writes(
    instances, lockdown
):
    reader, writer, ref = instances.reader, instances.writer, lockdown.ref
    timelines = instances.timelines
    notes = 20
    seen: list[list[int]] = [[] for _ in range(4)]
    errors: list[BaseException] = []
    done = threading.Event()

    def read(slot: int) -> None:
        try:
            while not done.is_set():
                versions = [e["version"] for e in timelines.timeline(ref, zone=ZONE)]
                assert versions == list(range(1, len(versions) + 1))  # none missing or twice
                seen[slot].append(len(versions))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=read, args=(slot,)) for slot in range(len(seen))]
    for thread in threads:
        thread.start()
    for number in range(notes):
        writer.add_note(ref, f"Update {number + 1}", actor=COUNSELOR)
    done.set()
    for thread in threads:
        thread.join()

    assert not errors, errors[0]
    for lengths in seen:
        assert lengths and lengths == sorted(lengths)  # a reader never goes back in time
    assert timelines.timeline(ref, zone=ZONE) == from_scratch(reader, ref)
    assert texts(timelines.timeline(ref, zone=ZONE))[-1] == (
        f"k.okafor (counselor) added note N{notes + 2}: 'Update {notes}'"
    )


def test_only_the_incidents_read_most_recently_are_kept(instances):
    reader, writer = instances.reader, instances.writer
    refs = [open_lockdown(writer) for _ in range(3)]
    for ref in refs:
        writer.add_note(ref, "Counselors in the library", actor=COUNSELOR)
    cache = TimelineCache(max_incidents=2)
    for ref in refs:
        assert len(cache.told(reader, ref, ZONE).entries) == 2
    assert len(cache) == 2

    small = TimelineCache(max_entries=3)
    for ref in refs:
        small.told(reader, ref, ZONE)
    assert len(small) == 1  # two incidents of two entries each would be four
    # A forgotten incident is told again in full on its next read.
    writer.add_note(refs[0], "Parents informed", actor=LEAD)
    assert texts(small.told(reader, refs[0], ZONE).entries)[1:] == [
        "k.okafor (counselor) added note N1: 'Counselors in the library'",
        "m.alvarez (crisis-lead) added note N2: 'Parents informed'",
    ]
