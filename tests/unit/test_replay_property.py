"""Any valid sequence of commands, saved and loaded again, gives the same state; and replay at
version N gives the state after the first N events."""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.errors import DomainError
from domain.people import Actor
from service.incidents.application import Steady
from service.incidents.as_json import incident_view

ACTORS = [Actor("m.alvarez", "crisis-lead"), Actor("k.okafor", "counselor")]
START = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

task_ids = st.sampled_from(["T1", "T2", "T3", "T4"])
commands = st.one_of(
    st.tuples(
        st.just("add_task"),
        st.text(min_size=1, max_size=20),
        st.sampled_from(["principal", "nurse"]),
    ),
    st.tuples(
        st.just("status"),
        task_ids,
        st.sampled_from(["todo", "in_progress", "blocked", "done", "not_applicable"]),
        st.text(max_size=10),
    ),
    st.tuples(
        st.just("reschedule"),
        task_ids,
        st.integers(min_value=-48, max_value=48),
        st.text(max_size=10),
    ),
    st.tuples(
        st.just("assign"),
        task_ids,
        st.sampled_from(["role", "person", "partner"]),
        st.sampled_from(["a", "b"]),
    ),
    st.tuples(st.just("note"), st.text(min_size=1, max_size=30)),
    st.tuples(
        st.just("correct"), st.sampled_from(["N1", "N2", "N3"]), st.text(min_size=1, max_size=10)
    ),
    st.tuples(st.just("severity"), st.integers(min_value=0, max_value=5)),
    st.tuples(
        st.just("phase"), st.sampled_from(["response", "stabilization", "recovery", "monitoring"])
    ),
    st.tuples(
        st.just("close"),
        st.text(max_size=10),
        st.sampled_from([None, "done", "not_applicable", "follow_up"]),
    ),
    st.tuples(
        st.just("reopen"), st.text(max_size=10), st.sampled_from([None, "response", "recovery"])
    ),
    st.tuples(st.just("playbook"), st.sampled_from(["death-of-student-or-staff", "unknown"])),
    st.tuples(st.just("share"), st.sampled_from(["a", "b"])),
    st.tuples(st.just("end_share"), st.sampled_from(["a", "b"])),
    st.tuples(
        st.just("share_note"), st.sampled_from(["N1", "N2", "N3"]), st.sampled_from(["a", "b"])
    ),
)


def run(app: Steady, ref: str, command: tuple, actor: Actor, at: datetime) -> None:
    name, *args = command
    options = {"actor": actor, "at": at}
    if name == "add_task":
        app.add_task(ref, title=args[0], owner_role=args[1], **options)
    elif name == "status":
        reason = args[2] if args[1] in ("blocked", "todo", "not_applicable") else ""
        note = args[2] if args[1] == "done" else ""
        app.change_task_status(ref, args[0], args[1], reason=reason, note=note, **options)
    elif name == "assign":
        app.assign_task(ref, args[0], kind=args[1], name=args[2], **options)
    elif name == "note":
        app.add_note(ref, args[0], **options)
    elif name == "correct":
        app.correct_note(ref, args[0], args[1], reason="typo", **options)
    elif name == "severity":
        app.change_severity(ref, args[0], **options)
    elif name == "phase":
        app.advance_phase(ref, args[0], **options)
    elif name == "reschedule":
        due = START + timedelta(hours=args[1])
        app.reschedule_task(ref, args[0], due, reason=args[2], **options)
    elif name == "close":
        app.close_incident(ref, args[0], open_tasks=args[1], **options)
    elif name == "reopen":
        app.reopen_incident(ref, args[0], phase=args[1], **options)
    elif name == "playbook":
        app.apply_playbook(ref, args[0], **options)
    elif name == "share":
        app.share_incident(ref, args[0], f"Partner {args[0]}", **options)
    elif name == "end_share":
        app.end_share(ref, args[0], reason="done", **options)
    elif name == "share_note":
        app.share_note(ref, args[0], args[1], **options)


def open_lockdown(app: Steady) -> str:
    return app.open_incident(
        title="Lockdown",
        kind="lockdown",
        severity=2,
        schools=["Roosevelt High School"],
        actor=ACTORS[0],
        occurred_at=START,
        at=START,
    ).reference


def run_all(app: Steady, sequence: list[tuple]) -> str:
    """Opens an incident and runs the commands 7 minutes apart, skipping those refused."""
    ref = open_lockdown(app)
    at = START
    for number, command in enumerate(sequence):
        at += timedelta(minutes=7)
        try:
            run(app, ref, command, ACTORS[number % 2], at)
        except (DomainError, LookupError):
            continue
    return ref


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(commands, max_size=25))
def test_saved_and_replayed_states_match_the_states_seen_while_commanding(sequence):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    ref = open_lockdown(app)
    at = START
    seen = {1: incident_view(app.incident(ref), START)}
    for number, command in enumerate(sequence):
        at += timedelta(minutes=7)
        before = app.incident(ref).version
        try:
            run(app, ref, command, ACTORS[number % 2], at)
        except (DomainError, LookupError):
            assert app.incident(ref).version == before  # a refused command appends nothing
            continue
        incident = app.incident(ref)
        assert incident.version not in seen
        seen[incident.version] = incident_view(incident, START)

    final = app.incident(ref)
    assert final.version == max(seen)
    # Loading decodes every stored event again: nothing is carried over from memory.
    assert incident_view(app.repository.get(final.id), START) == seen[final.version]
    for version, view in seen.items():
        assert incident_view(app.incident_at_version(ref, version), START) == view
        # Each command happened 7 minutes after the last, so a moment names one version.
        moment = app.incident_at_version(ref, version).modified_on + timedelta(minutes=1)
        assert incident_view(app.incident_at_time(ref, moment), START) == view
