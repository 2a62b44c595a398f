"""A drill is said so from its opening, and the review's moments are timed from the start."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import DomainError
from domain.incident import Incident
from domain.incident_state import incident_from, record_of
from domain.people import Actor

OPENED = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
LEAD = Actor("m.alvarez", "crisis-lead")


def lockdown(*, drill: bool) -> Incident:
    return Incident.open(
        reference="INC-2026-0001",
        title="Lockdown drill" if drill else "Lockdown",
        kind="lockdown",
        severity=2,
        schools=["Lincoln Elementary"],
        summary="",
        occurred_at=OPENED,
        actor=LEAD,
        at=OPENED,
        drill=drill,
    )


def test_an_incident_opened_as_a_drill_says_so_and_a_real_one_does_not():
    assert lockdown(drill=True).drill is True
    assert lockdown(drill=False).drill is False
    with pytest.raises(DomainError, match="drill must be true"):
        Incident.open(
            reference="INC-2026-0002",
            title="x",
            kind="lockdown",
            severity=2,
            schools=["Lincoln Elementary"],
            summary="",
            occurred_at=OPENED,
            actor=LEAD,
            at=OPENED,
            drill="yes",  # type: ignore[arg-type]
        )


def test_the_drill_flag_is_in_the_opening_hash_only_when_it_is_a_drill():
    real, drill = lockdown(drill=False), lockdown(drill=True)
    assert real.pending_events[0].computed_hash() == real.pending_events[0].event_hash
    assert drill.pending_events[0].computed_hash() == drill.pending_events[0].event_hash
    assert real.chain_head != drill.chain_head  # a drill can't be passed off as the real thing


def test_the_times_run_from_the_opening_and_the_first_report_counts():
    incident = lockdown(drill=True)
    later = OPENED + timedelta(minutes=30)
    assert incident.record_everyone_accounted_for(
        OPENED + timedelta(minutes=7, seconds=30), actor=LEAD, at=later
    )
    # Said again later (a second teacher's phone, a retried click): the first one stands.
    assert not incident.record_everyone_accounted_for(
        OPENED + timedelta(minutes=12), actor=LEAD, at=later
    )
    assert incident.record_reunification_completed(
        OPENED + timedelta(minutes=25), actor=LEAD, at=later
    )
    incident.close("Went well", actor=LEAD, at=OPENED + timedelta(minutes=40))
    times = incident.drill_times()
    assert times.to_everyone_accounted_for == timedelta(minutes=7, seconds=30)
    assert times.to_reunification_completed == timedelta(minutes=25)
    assert times.to_close == timedelta(minutes=40)
    assert [e.NAME for e in incident.pending_events].count("everyone_accounted_for") == 1


def test_times_not_recorded_are_unknown():
    times = lockdown(drill=False).drill_times()
    assert (times.to_everyone_accounted_for, times.to_reunification_completed) == (None, None)
    assert times.to_close is None


def test_a_moment_in_the_future_or_before_the_opening_is_refused():
    incident = lockdown(drill=True)
    with pytest.raises(DomainError, match="in the future"):
        incident.record_everyone_accounted_for(
            OPENED + timedelta(hours=1), actor=LEAD, at=OPENED + timedelta(minutes=1)
        )
    with pytest.raises(DomainError, match="before INC-2026-0001 was opened"):
        incident.record_reunification_completed(
            OPENED - timedelta(hours=1), actor=LEAD, at=OPENED + timedelta(minutes=1)
        )


def test_participants_are_a_count_of_people_and_a_later_count_replaces_the_first():
    incident = lockdown(drill=True)
    incident.record_participants(410, "", actor=LEAD, at=OPENED)
    incident.record_participants(432, "all classes, 31 staff", actor=LEAD, at=OPENED)
    assert (incident.participants.count, incident.participants.note) == (
        432,
        "all classes, 31 staff",
    )
    for wrong in (0, -3, True, "400"):
        with pytest.raises(DomainError, match="participants must be a whole number"):
            incident.record_participants(wrong, "", actor=LEAD, at=OPENED)  # type: ignore[arg-type]


def test_changes_to_make_are_kept_in_order():
    incident = lockdown(drill=True)
    first = incident.record_change_to_make("Gym door does not lock", actor=LEAD, at=OPENED)
    second = incident.record_change_to_make("PA not heard in portables", actor=LEAD, at=OPENED)
    assert (first, second) == ("C1", "C2")
    assert [c.text for c in incident.changes_to_make] == [
        "Gym door does not lock",
        "PA not heard in portables",
    ]
    with pytest.raises(DomainError, match="what to change"):
        incident.record_change_to_make("   ", actor=LEAD, at=OPENED)


def test_a_closed_incident_takes_no_more_review_moments_until_reopened():
    incident = lockdown(drill=True)
    incident.close("Done", actor=LEAD, at=OPENED + timedelta(minutes=5))
    with pytest.raises(DomainError, match="is closed; reopen it"):
        incident.record_everyone_accounted_for(OPENED, actor=LEAD, at=OPENED)


def test_a_snapshot_keeps_the_drill_and_its_review():
    incident = lockdown(drill=True)
    incident.record_everyone_accounted_for(OPENED, actor=LEAD, at=OPENED)
    incident.record_participants(12, "one class", actor=LEAD, at=OPENED)
    incident.record_change_to_make("Practise the hold", actor=LEAD, at=OPENED)
    loaded = incident_from(incident.id, incident.version, record_of(incident))

    def state(i: Incident) -> dict:
        return {k: v for k, v in vars(i).items() if k != "_pending_events"}

    assert state(loaded) == state(incident)
    assert loaded.drill and loaded.participants.count == 12


def test_the_drill_report_lists_the_classes_that_reported_late_latest_first():
    from zoneinfo import ZoneInfo

    from service.drills.report import ClassReport, drill_report, span_text

    incident = lockdown(drill=True)
    reports = [
        ClassReport("Room 12, grade 3", OPENED + timedelta(minutes=2)),
        ClassReport("Gym, PE", OPENED + timedelta(minutes=11, seconds=5)),
        ClassReport("Portable 2", OPENED + timedelta(minutes=7)),
        ClassReport("Library", OPENED + timedelta(minutes=5)),  # on the dot: not late
    ]
    report = drill_report(incident, reports, zone=ZoneInfo("America/Chicago"))
    assert [c["class"] for c in report["late_classes"]] == ["Gym, PE", "Portable 2"]
    assert report["late_classes"][0]["after_start"] == "11 min 05 s"
    assert report["classes_reported"] == 4 and report["late_after_minutes"] == 5
    assert [span_text(timedelta(seconds=s)) for s in (9, 60, 3725)] == [
        "9 s",
        "1 min",
        "1 h 02 min",
    ]
    assert report["duration"]["text"] == "under way"
