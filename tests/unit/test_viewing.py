"""Who viewed an incident, over the in-memory store: the window, the per-process memory, the ids
and a view log that never fails the page that records into it."""

import logging
import threading
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.people import Actor
from domain.viewing import Viewing, window_start
from service.incidents.application import Steady
from service.views_log.recording import RecentViews, Viewer, ViewLog, select_views
from tests.builders import LEAD

COUNSELOR = Viewer("k.okafor", "counselor", ("responder",), "lincoln-elementary")
AUDITOR = Viewer("a.kim", "auditor", ("auditor",), "riverside-usd")
START = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = START + timedelta(minutes=2)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def steady() -> Steady:
    return Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})


@pytest.fixture
def viewlog(steady, clock):
    made = ViewLog(steady, clock=clock)
    yield made
    made.close()


def open_incident(steady: Steady, title: str = "Lockdown") -> str:
    return steady.open_incident(
        title=title, kind="lockdown", severity=1, schools=["Roosevelt High School"], actor=LEAD
    ).reference


# -- the window ---------------------------------------------------------------------------------


def test_views_fall_in_fixed_fifteen_minute_windows():
    assert window_start(START + timedelta(minutes=14, seconds=59)) == START
    assert window_start(START + timedelta(minutes=15)) == START + timedelta(minutes=15)
    chicago = datetime(2026, 11, 23, 9, 7, tzinfo=ZoneInfo("America/Chicago"))
    assert window_start(chicago) == datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
    assert window_start(START, timedelta(hours=1)) == START
    with pytest.raises(DomainError, match="time zone"):
        window_start(datetime(2026, 11, 23, 9, 7))


def test_a_key_is_recorded_once_per_window_and_again_in_the_next():
    recent = RecentViews()
    key = ("k.okafor", "INC-2026-0001", "page")
    assert recent.claim(key, START) == START
    assert recent.claim(key, START + timedelta(minutes=14)) is None
    assert recent.claim(key, START + timedelta(minutes=15)) == START + timedelta(minutes=15)
    assert recent.claim(("k.okafor", "INC-2026-0001", "api"), START) == START
    assert recent.claim(("d.chen", "INC-2026-0001", "page"), START) == START
    assert recent.claim(("k.okafor", "INC-2026-0002", "page"), START) == START


def test_a_released_key_is_recorded_again_in_the_same_window():
    recent = RecentViews()
    key = ("k.okafor", "INC-2026-0001", "page")
    recent.claim(key, START)
    recent.release(key, START)
    assert recent.claim(key, START + timedelta(minutes=1)) == START
    recent.release(key, START - timedelta(minutes=15))  # an older window: the claim stands
    assert recent.claim(key, START + timedelta(minutes=2)) is None


def test_the_memory_is_bounded_forgetting_earlier_windows_first():
    recent = RecentViews(max_keys=3)
    old = ("r.patel", "INC-2026-0001", "page")
    recent.claim(old, START)
    later = START + timedelta(minutes=15)
    for person in ("a", "b", "c"):
        recent.claim((person, "INC-2026-0001", "page"), later)
    assert len(recent) == 3
    for person in ("a", "b", "c"):
        assert recent.claim((person, "INC-2026-0001", "page"), later) is None
    assert recent.claim(old, START) == START  # forgotten, so it would be recorded again


# -- ids ----------------------------------------------------------------------------------------


def a_viewing(ref: str = "INC-2026-0001", surface: str = "page", at: datetime = START) -> Viewing:
    return Viewing.record(
        incident_id=Incident.id_for(ref),
        actor=Actor("k.okafor", "counselor"),
        roles=["responder"],
        organisation="lincoln-elementary",
        surface=surface,
        at=at,
    )


def test_one_incidents_view_ids_lie_in_its_own_range_and_name_no_one():
    viewing = a_viewing()
    assert viewing.id == Viewing.id_for(viewing.incident_id, "k.okafor", "page", START)
    low, high = Viewing.id_range(viewing.incident_id)
    assert low <= viewing.id <= high and viewing.id.version == 8
    other_low, other_high = Viewing.id_range(Incident.id_for("INC-2026-0002"))
    assert not other_low <= viewing.id <= other_high
    assert "okafor" not in str(viewing.id)
    assert a_viewing(surface="api").id != viewing.id
    assert a_viewing(at=START + timedelta(minutes=14)).id == viewing.id
    assert a_viewing(at=START + timedelta(minutes=15)).id != viewing.id
    assert (viewing.window_start, viewing.window_end) == (START, START + timedelta(minutes=15))


def test_an_unknown_surface_is_refused():
    with pytest.raises(DomainError, match="unknown surface 'board'"):
        a_viewing(surface="board")


# -- the view log -------------------------------------------------------------------------------


def listed(viewlog: ViewLog, ref: str) -> list[tuple[str, str, datetime]]:
    return [(v.user, v.surface, v.at) for v in viewlog.viewings(ref).views]


def test_refreshes_within_the_window_are_one_view_and_the_next_window_another(
    steady, viewlog, clock
):
    ref = open_incident(steady)
    first = clock.now
    assert viewlog.record(COUNSELOR, ref, "page")
    for minutes in (1, 5, 12):
        clock.now = first + timedelta(minutes=minutes)
        assert not viewlog.record(COUNSELOR, ref, "page")
    assert listed(viewlog, ref) == [("k.okafor", "page", first)]
    clock.now = START + timedelta(minutes=16)
    assert viewlog.record(COUNSELOR, ref, "page")
    assert listed(viewlog, ref) == [
        ("k.okafor", "page", START + timedelta(minutes=16)),
        ("k.okafor", "page", first),
    ]


def test_each_person_and_surface_is_its_own_line_newest_first(steady, viewlog, clock):
    ref = open_incident(steady)
    other = open_incident(steady, "Evacuation")
    viewlog.record(COUNSELOR, ref, "page")
    clock.now += timedelta(seconds=30)
    viewlog.record(COUNSELOR, ref, "api")
    clock.now += timedelta(seconds=30)
    viewlog.record(AUDITOR, ref, "export")
    viewlog.record(AUDITOR, other, "timeline")
    found = viewlog.viewings(ref)
    assert found.reference == ref
    assert [(v.user, v.surface) for v in found.views] == [
        ("a.kim", "export"),
        ("k.okafor", "api"),
        ("k.okafor", "page"),
    ]
    line = found.views[-1].as_dict()
    assert line["person"] == "k.okafor" and line["role"] == "counselor"
    assert line["roles"] == ["responder"] and line["organisation"] == "lincoln-elementary"
    assert listed(viewlog, other) == [("a.kim", "timeline", clock.now)]


def test_views_stay_out_of_the_incident_its_feed_and_its_board(steady, viewlog):
    ref = open_incident(steady)
    before = steady.incident_events(ref)
    for surface in ("page", "api", "export", "timeline", "replay", "report"):
        viewlog.record(COUNSELOR, ref, surface)
    assert len(viewlog.viewings(ref).views) == 6
    assert steady.incident_events(ref) == before
    assert [e.type for e in steady.events_after(0, 100)] == ["incident_opened"]
    assert steady.incident(ref).version == 1
    assert [i.reference for i in steady.incidents()] == [ref]


def test_an_unknown_incident_is_not_recorded_and_not_listed(steady, viewlog):
    assert viewlog.record(COUNSELOR, "INC-2026-9999", "page")
    assert viewlog.flush()
    with pytest.raises(NotFound):
        viewlog.viewings("INC-2026-9999")


def test_the_same_view_from_two_processes_is_kept_once(steady, clock):
    ref = open_incident(steady)
    one, two = ViewLog(steady, clock=clock), ViewLog(steady, clock=clock)
    assert one.record(COUNSELOR, ref, "page") and two.record(COUNSELOR, ref, "page")
    one.close()
    two.close()
    assert len(ViewLog(steady).viewings(ref).views) == 1


def test_a_batch_holding_a_view_another_process_recorded_still_saves_the_others(steady, clock):
    ref = open_incident(steady)
    one, two = ViewLog(steady, clock=clock), ViewLog(steady, clock=clock)
    one.record(COUNSELOR, ref, "page")
    one.close()
    gate, real_save = threading.Event(), steady.save

    def held(*objs):
        gate.wait(5)
        return real_save(*objs)

    steady.save = held  # type: ignore[method-assign]
    two.record(AUDITOR, ref, "api")  # the writer takes this, and waits at the gate
    two.record(COUNSELOR, ref, "page")  # so these two queue up and are saved together,
    two.record(AUDITOR, ref, "page")  # and the first of them is in the store already
    gate.set()
    two.close()
    assert sorted((v.user, v.surface) for v in ViewLog(steady).viewings(ref).views) == [
        ("a.kim", "api"),
        ("a.kim", "page"),
        ("k.okafor", "page"),
    ]


def test_many_people_viewing_at_once_are_all_recorded(steady, viewlog):
    ref = open_incident(steady)
    people = [Viewer(f"staff.{n}", "teacher", ("responder",), "roosevelt-high") for n in range(40)]
    threads = [threading.Thread(target=viewlog.record, args=(p, ref, "page")) for p in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert {v.user for v in viewlog.viewings(ref).views} == {p.user for p in people}


def test_a_failed_save_is_logged_and_the_next_view_tries_again(steady, viewlog, caplog):
    ref = open_incident(steady)
    real_save = steady.save

    def broken(*objs):
        raise OSError("disk full")

    steady.save = broken  # type: ignore[method-assign]
    with caplog.at_level(logging.ERROR, logger="service.views_log.recording"):
        assert viewlog.record(COUNSELOR, ref, "page")  # the caller is not told
        assert viewlog.flush()
    assert "could not record 1 view(s) of " + ref in caplog.text
    steady.save = real_save  # type: ignore[method-assign]
    assert viewlog.record(COUNSELOR, ref, "page")  # in the same window: the key was released
    assert [v.user for v in viewlog.viewings(ref).views] == ["k.okafor"]


def test_after_close_views_are_not_recorded_and_nothing_waits(steady, viewlog):
    ref = open_incident(steady)
    viewlog.record(COUNSELOR, ref, "page")
    viewlog.close()
    assert not viewlog.record(AUDITOR, ref, "page")
    assert viewlog.flush(timeout=0.1)
    assert [v.user for v in viewlog.viewings(ref).views] == ["k.okafor"]


def test_a_full_queue_drops_the_view_and_says_so(steady, clock, caplog):
    ref = open_incident(steady)
    viewlog = ViewLog(steady, clock=clock, max_pending=0)
    with caplog.at_level(logging.WARNING, logger="service.views_log.recording"):
        assert not viewlog.record(COUNSELOR, ref, "page")
    assert "were not recorded" in caplog.text
    viewlog.close()


def test_views_are_filtered_by_person_role_and_surface(steady, viewlog):
    ref = open_incident(steady)
    viewlog.record(COUNSELOR, ref, "page")
    viewlog.record(COUNSELOR, ref, "api")
    viewlog.record(AUDITOR, ref, "report")
    views = viewlog.viewings(ref).views
    assert {v.surface for v in select_views(views, person="K.Okafor ")} == {"page", "api"}
    assert [v.user for v in select_views(views, role="responder")] == ["k.okafor"] * 2
    assert [v.user for v in select_views(views, role="counselor")] == ["k.okafor"] * 2
    assert [v.user for v in select_views(views, surface="report")] == ["a.kim"]
    assert select_views(views, person="a.kim", surface="page") == []
    with pytest.raises(DomainError, match="unknown surface 'card'"):
        select_views(views, surface="card")
