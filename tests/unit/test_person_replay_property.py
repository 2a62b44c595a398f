"""Any valid sequence of changes to an affected person, saved and loaded again, gives the same
record; and the person read at version N is exactly the record after the first N events."""

from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.affected_person import AffectedPerson
from domain.errors import DomainError
from domain.people import Actor
from domain.triage import FACTORS, WARNING_SIGNS
from service.incidents.application import Steady

ACTORS = [Actor("m.alvarez", "crisis-lead"), Actor("k.okafor", "responder")]
START = datetime(2026, 10, 6, 8, 0, tzinfo=UTC)
INCIDENTS = ["INC-2026-0001", "INC-2026-0002"]

incidents = st.sampled_from(INCIDENTS)
commands = st.one_of(
    st.tuples(st.just("add"), incidents, st.text(max_size=12)),
    st.tuples(
        st.just("triage"),
        incidents,
        st.lists(st.sampled_from(list(FACTORS)), max_size=3),
        st.lists(st.sampled_from(list(WARNING_SIGNS)), max_size=2),
        st.integers(min_value=0, max_value=4),
        st.text(max_size=12),
        st.sampled_from(["", "k.okafor"]),
    ),
    st.tuples(st.just("counselor"), incidents, st.sampled_from(["k.okafor", "p.rivera", ""])),
    st.tuples(
        st.just("refer"),
        incidents,
        st.sampled_from(["partner", "professional", "agency"]),
        st.sampled_from(["eastside-counseling", "school-psychologist", "Not A Name!"]),
        st.text(max_size=8),
    ),
    st.tuples(
        st.just("move"),
        st.sampled_from(["R1", "R2"]),
        st.sampled_from(["accepted", "closed", "open"]),
    ),
    st.tuples(st.just("identity")),
    st.tuples(st.just("view"), st.sampled_from(["page", "api"])),
    st.tuples(st.just("share"), st.sampled_from(["eastside-counseling", "other-org"])),
    st.tuples(st.just("revoke"), st.sampled_from(["eastside-counseling", "other-org"])),
    st.tuples(st.just("erase"), st.text(max_size=8)),
)


def apply(person: AffectedPerson, command: tuple, actor: Actor, at: datetime) -> None:
    name, *args = command
    if name == "add":
        person.add_to_incident(args[0], args[1], actor=actor, at=at)
    elif name == "triage":
        person.triage(args[0], factors=args[1], warning_signs=args[2], tier=args[3],
                      reason=args[4], counselor=args[5], actor=actor, at=at)  # fmt: skip
    elif name == "counselor":
        person.assign_counselor(args[0], args[1], actor=actor, at=at)
    elif name == "refer":
        person.refer(args[0], kind=args[1], to=args[2], reason=args[3], asked_to=args[3],
                     actor=actor, at=at)  # fmt: skip
    elif name == "move":
        person.move_referral(args[0], args[1], actor=actor, at=at)
    elif name == "identity":
        person.identity_recorded(actor=actor, at=at)
    elif name == "view":
        person.identity_viewed(args[0], actor=actor, at=at)
    elif name == "share":
        person.share_identity(args[0], actor=actor, at=at)
    elif name == "revoke":
        person.revoke_share(args[0], "done", actor=actor, at=at)
    elif name == "erase":
        person.erase_identity(args[0], actor=actor, at=at)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(commands, st.sampled_from(ACTORS)), max_size=25))
def test_replay_of_a_person_is_exact_at_every_version(steps):
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    person = AffectedPerson.record(
        reference="P-0001", kind="student", school="Roosevelt High School", grade="9",
        incident_ref=INCIDENTS[0], how_affected="saw it", actor=ACTORS[0], at=START,
    )  # fmt: skip
    app.save(person)
    states = {person.version: person.state()}
    for number, (command, actor) in enumerate(steps, start=1):
        live: AffectedPerson = app.repository.get(person.id)
        try:
            apply(live, command, actor, START + timedelta(minutes=number))
        except DomainError:
            continue  # refused: nothing is recorded, and the record stays as it was
        app.save(live)
        states[live.version] = live.state()
    for version, state in states.items():
        assert app.repository.get(person.id, version=version).state() == state
    first = app.repository.get(person.id, version=1)
    assert first.incidents == {} and first.triages == []
