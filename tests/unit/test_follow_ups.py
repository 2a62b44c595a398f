"""A person's follow-ups on an incident: recording check-ins (once, with a note and next step
where they are needed), overdue check-ins, re-plans and moves; and replay exact at every
version, whatever the commands were (a property test)."""

from datetime import UTC, datetime, timedelta

import pytest
from eventsourcing.application import Application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.check_ins import OUTCOMES
from domain.errors import DomainError, NotFound
from domain.follow_up_plan import KeyDates, PlannedCheckIn
from domain.follow_ups import FollowUps
from domain.people import Actor

COUNSELOR = Actor("k.okafor", "responder")
LEAD = Actor("m.alvarez", "crisis-lead")
START = datetime(2026, 10, 15, 18, 0, tzinfo=UTC)


def planned(*days: int) -> list[PlannedCheckIn]:
    return [PlannedCheckIn(f"Check-in day {d}", START + timedelta(days=d)) for d in days]


def follow_ups(*days: int) -> FollowUps:
    return FollowUps.plan(
        person_ref="P-0007",
        incident_ref="INC-2026-0003",
        tier=3,
        owner="k.okafor",
        source="death-of-student-or-staff v4",
        start=START,
        key_dates=KeyDates(birthday=(3, 17)),
        check_ins=planned(*days),
        actor=LEAD,
        at=START,
    )


def test_a_check_in_is_recorded_once():
    plan = follow_ups(1, 8)
    plan.record_check_in("C1", outcome="seen_no_concern", actor=COUNSELOR, at=START)
    assert plan.check_in("C1").recorded.outcome == "seen_no_concern"
    with pytest.raises(DomainError, match=r"already recorded as seen, no concern by k\.okafor"):
        plan.record_check_in("c1", outcome="declined", actor=COUNSELOR, at=START)


@pytest.mark.parametrize(
    ("outcome", "note", "next_step", "message"),
    [
        ("seen", "", "", "is not one of seen_no_concern"),
        ("could_not_reach", "", "", "say what happened in a note"),
        ("concern_next_step", "tearful", "", "a concern needs its next step"),
        ("concern_next_step", "", "refer", "say what happened in a note"),
    ],
)
def test_a_check_in_needs_its_outcome_note_and_next_step(outcome, note, next_step, message):
    plan = follow_ups(1)
    with pytest.raises(DomainError, match=message):
        plan.record_check_in(
            "C1", outcome=outcome, note=note, next_step=next_step, actor=COUNSELOR, at=START
        )
    assert plan.check_in("C1").recorded is None


def test_an_unknown_check_in_says_so():
    with pytest.raises(NotFound, match="P-0007 has no check-in 'C9' on INC-2026-0003"):
        follow_ups(1).record_check_in("C9", outcome="declined", actor=COUNSELOR, at=START)


def test_a_missed_check_in_is_overdue_until_recorded():
    plan = follow_ups(1, 8)
    later = START + timedelta(days=2)
    assert [c.overdue(later) for c in plan.open_check_ins()] == [True, False]
    plan.record_check_in("C1", outcome="declined", actor=COUNSELOR, at=later)
    assert [c.id for c in plan.open_check_ins()] == ["C2"]


def test_a_re_plan_replaces_the_open_check_ins_ahead_and_keeps_a_missed_one():
    plan = follow_ups(1, 8, 15)
    plan.record_check_in("C2", outcome="seen_no_concern", actor=COUNSELOR, at=START)
    plan.replan(
        tier=2,
        source="district default",
        start=START + timedelta(days=3),
        key_dates=KeyDates(),
        check_ins=planned(20),
        actor=LEAD,
        at=START + timedelta(days=3),
    )
    assert plan.tier == 2
    assert plan.check_in("C3").cancelled and not plan.check_in("C1").cancelled
    assert [c.id for c in plan.open_check_ins()] == ["C1", "C4"]  # C1 missed: still to do
    with pytest.raises(DomainError, match="was replaced when the plan changed"):
        plan.record_check_in("C3", outcome="declined", actor=COUNSELOR, at=START)


def test_rescheduling_moves_only_open_check_ins_ahead():
    plan = follow_ups(1, 8)
    now = START + timedelta(days=2)
    moved = plan.reschedule(
        {"C1": START + timedelta(days=3), "C2": START + timedelta(days=9)},
        reason="the district calendar changed",
        actor=LEAD,
        at=now,
    )
    assert moved == ["C2"]
    assert plan.check_in("C2").due == START + timedelta(days=9)
    assert plan.reschedule({"C2": START + timedelta(days=9)}, reason="x", actor=LEAD, at=now) == []


def test_references_are_checked_and_ids_hold_nothing_but_them():
    with pytest.raises(DomainError, match="such as P-0007"):
        FollowUps.id_for("Jamie Smith", "INC-2026-0003")
    with pytest.raises(DomainError, match="tier 5 is not a tier of need"):
        FollowUps.plan(
            person_ref="P-0007",
            incident_ref="INC-2026-0003",
            tier=5,
            owner="k.okafor",
            source="x",
            start=START,
            key_dates=KeyDates(),
            check_ins=[],
            actor=LEAD,
            at=START,
        )
    assert FollowUps.id_for("p-0007", "inc-2026-0003") == follow_ups(1).id


commands = st.lists(
    st.one_of(
        st.tuples(
            st.just("record"),
            st.sampled_from(["C1", "C2", "C3", "C4", "C5"]),
            st.sampled_from([*OUTCOMES, "nope"]),
            st.sampled_from(["", "spoke in the library"]),
            st.sampled_from(["", "call home Friday"]),
        ),
        st.tuples(st.just("replan"), st.integers(0, 4), st.lists(st.integers(0, 30), max_size=3)),
        st.tuples(st.just("move"), st.sampled_from(["C1", "C2", "C4"]), st.integers(-3, 3)),
        st.tuples(st.just("owner"), st.sampled_from(["k.okafor", "p.rivera", "Not A User"])),
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(commands)
def test_replay_at_every_version_is_exact(steps):
    app = Application[object](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    plan = follow_ups(1, 5, 9)
    states = [plan.as_record()]
    at = START
    for step in steps:
        at += timedelta(hours=7)
        try:
            if step[0] == "record":
                _, check_in, outcome, note, next_step = step
                plan.record_check_in(
                    check_in,
                    outcome=outcome,
                    note=note,
                    next_step=next_step,
                    actor=COUNSELOR,
                    at=at,
                )
            elif step[0] == "replan":
                plan.replan(
                    tier=step[1],
                    source="again",
                    start=at,
                    key_dates=KeyDates(graduation=START.date()),
                    check_ins=planned(*step[2]),
                    actor=LEAD,
                    at=at,
                )
            elif step[0] == "move":
                check_in = plan.check_ins.get(step[1])
                due = (check_in.due if check_in else at) + timedelta(days=step[2])
                plan.reschedule({step[1]: due}, reason="calendar", actor=LEAD, at=at)
            else:
                plan.change_owner(step[1], actor=LEAD, at=at)
        except DomainError:
            pass
        if plan.version > len(states):
            states.append(plan.as_record())
    app.save(plan)
    for version, state in enumerate(states, start=1):
        assert app.repository.get(plan.id, version=version).as_record() == state
    assert app.repository.get(plan.id).as_record() == plan.as_record()


def test_the_stored_shape_of_each_event_is_pinned():
    """Events are kept forever: these field names are the contract (class version 1)."""
    app = Application[object](env={"PERSISTENCE_MODULE": "eventsourcing.popo"})
    plan = follow_ups(1, 8)
    plan.record_check_in("C1", outcome="declined", actor=COUNSELOR, at=START)
    plan.reschedule({"C2": START + timedelta(days=9)}, reason="calendar", actor=LEAD, at=START)
    plan.change_owner("p.rivera", actor=LEAD, at=START)
    plan.replan(
        tier=1, source="x", start=START, key_dates=KeyDates(), check_ins=[], actor=LEAD, at=START
    )
    app.save(plan)
    base = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
    shapes = {}
    for stored in app.recorder.select_notifications(0, 10):
        event = app.mapper.to_domain_event(stored)
        shapes[event.NAME] = (type(event).class_version, set(event.__dict__) - base)
    assert shapes == {
        "follow_ups_planned": (
            1,
            {"person_ref", "incident_ref", "tier", "owner", "source", "start", "key_dates",
             "check_ins"},
        ),
        "check_in_recorded": (1, {"check_in_id", "outcome", "note", "next_step"}),
        "check_ins_rescheduled": (1, {"moved", "reason"}),
        "follow_ups_owner_changed": (1, {"owner"}),
        "follow_ups_replanned": (
            1, {"tier", "source", "start", "key_dates", "cancelled", "check_ins"}
        ),
    }  # fmt: skip
