"""Stored events are a public contract: an event stored before the hash chain still loads."""

import json
from dataclasses import replace
from datetime import UTC, datetime

from domain.chain import GENESIS, event_hash
from domain.incident import Incident
from domain.people import Actor
from domain.phase import Phase
from domain.task import TaskPlan
from service.incidents.application import Steady

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def storm(reference: str) -> Incident:
    return Incident.open(
        reference=reference,
        title="Storm",
        kind="severe-weather",
        severity=3,
        schools=["Lincoln Elementary"],
        summary="",
        occurred_at=NOW,
        actor=Actor("a", "b"),
        at=NOW,
    )


def test_a_version_1_event_without_hashes_loads_with_empty_ones():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    incident = storm("INC-2026-0001")
    incident.add_note("Roof leak in the gym", actor=Actor("a", "b"), at=NOW)
    stored = app.mapper.to_stored_event(incident.pending_events[1])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["previous_hash"], state["event_hash"]
    old = replace(stored, state=json.dumps(state).encode())

    event = app.mapper.to_domain_event(old)
    assert (event.previous_hash, event.event_hash) == ("", "")
    assert event.text == "Roof leak in the gym"
    assert incident.pending_events[1].previous_hash == incident.pending_events[0].event_hash
    assert incident.pending_events[0].previous_hash == GENESIS


def test_each_new_event_chains_onto_the_one_before():
    incident = storm("INC-2026-0002")
    incident.add_note("one", actor=Actor("a", "b"), at=NOW)
    incident.change_severity(2, reason="", actor=Actor("a", "b"), at=NOW)
    events = incident.pending_events
    assert [e.previous_hash for e in events[1:]] == [e.event_hash for e in events[:-1]]
    assert all(e.computed_hash() == e.event_hash for e in events)
    assert incident.chain_head == events[-1].event_hash


def test_a_receipt_stored_under_its_module_before_the_layout_by_capability_still_loads():
    from service.incidents.idempotency import Receipt

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    receipt = Receipt.record(
        "retry-1",
        command="add_note",
        fingerprint="f" * 64,
        incident_id=storm("INC-2026-0002").id,
        reference="INC-2026-0002",
        version=2,
        detail={},
    )
    stored = app.mapper.to_stored_event(receipt.pending_events[0])
    assert stored.topic == "service.incidents.idempotency:Receipt.Recorded"
    # The event is defined from the receipt's fields: they are the stored shape, a contract.
    assert set(json.loads(stored.state)) == {
        "timestamp",
        "originator_topic",
        "command",
        "fingerprint",
        "incident_id",
        "reference",
        "version",
        "detail",
    }
    old = replace(stored, topic="service.idempotency:Receipt.Recorded")  # as stored before
    event = app.mapper.to_domain_event(old)
    assert isinstance(event, Receipt.Recorded) and event.reference == "INC-2026-0002"


def stored_as_before(app: Steady, event, old_module: str):
    """The stored event as it was written when its aggregate lived in `old_module`."""
    stored = app.mapper.to_stored_event(event)
    module, _, name = stored.topic.partition(":")
    state = json.loads(stored.state)
    if "originator_topic" in state:  # a created event names its aggregate too
        state["originator_topic"] = state["originator_topic"].replace(module, old_module)
    return replace(stored, topic=f"{old_module}:{name}", state=json.dumps(state).encode())


def test_a_token_lookup_stored_when_it_lived_in_domain_account_still_loads():
    from domain.token_lookup import TokenLookup

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    account_id = Incident.id_for("INC-2026-0003")
    lookup = TokenLookup.register("0123456789ab", account_id, at=NOW)
    old = stored_as_before(app, lookup.pending_events[0], "domain.account")
    assert old.topic == "domain.account:TokenLookup.Registered"

    event = app.mapper.to_domain_event(old)
    assert isinstance(event, TokenLookup.Registered)
    loaded = event.mutate(None)
    assert isinstance(loaded, TokenLookup) and loaded.account_id == account_id


def test_an_admin_roster_stored_when_it_lived_in_domain_account_still_loads():
    from domain.admin_roster import AdminRoster

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    roster = AdminRoster.start(actor=Actor("a", "b"), at=NOW)
    roster.join("m.alvarez", actor=Actor("a", "b"), at=NOW)
    roster.join("k.okafor", actor=Actor("a", "b"), at=NOW)
    roster.leave("m.alvarez", actor=Actor("a", "b"), at=NOW)
    olds = [stored_as_before(app, e, "domain.account") for e in roster.pending_events]
    assert [o.topic for o in olds] == [
        "domain.account:AdminRoster.Started",
        "domain.account:AdminRoster.Joined",
        "domain.account:AdminRoster.Joined",
        "domain.account:AdminRoster.Left",
    ]

    loaded = None
    for old in olds:
        loaded = app.mapper.to_domain_event(old).mutate(loaded)
    assert isinstance(loaded, AdminRoster) and loaded.usernames == ["k.okafor"]
    assert loaded.version == 4


def test_a_version_2_playbook_applied_loads_without_shared_steps_and_keeps_its_hash():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    incident = storm("INC-2026-0004")
    plan = TaskPlan("Check the roof", "", Phase.RESPONSE, "principal", None, step_id="roof")
    incident.apply_playbook(
        playbook_id="storm",
        version=1,
        content_hash="sha256:0",
        title="Storm",
        steps=[plan],
        actor=Actor("a", "b"),
        at=NOW,
    )
    stored = app.mapper.to_stored_event(incident.pending_events[1])
    state = json.loads(stored.state)
    assert state.pop("class_version") == 3
    # As version 2 stored it: no shared steps, milestones or measures, and tasks without the
    # fields school-day due dates added.
    del state["shared_steps"], state["milestones"], state["measures"]
    for task in state["tasks"]:
        del task["due_rule"], task["waits_for"], task["same_as"]
    state["class_version"] = 2
    said = {k: state[k] for k in ("playbook_id", "playbook_version", "content_hash")}
    first = app.mapper.to_domain_event(replace(stored, state=json.dumps(state).encode()))
    state["event_hash"] = event_hash(  # the hash its recorder gave it, over what it said then
        state["previous_hash"],
        incident_id=incident.id,
        event_type="playbook_applied",
        at=first.timestamp,
        actor=state["actor"],
        data=said | {"playbook_title": "Storm", "tasks": first.tasks},
    )
    old = replace(stored, state=json.dumps(state).encode())

    event = app.mapper.to_domain_event(old)
    assert (event.shared_steps, event.milestones, event.measures) == ({}, {}, [])
    assert event.computed_hash() == event.event_hash  # an old stream still checks as intact
    loaded = event.mutate(incident.pending_events[0].mutate(None))
    assert loaded.task("T1").title == "Check the roof" and loaded.task("T1").waits_for == ""
    assert loaded.playbooks[0].shared == {}


def test_help_request_events_are_stored_in_the_shape_they_are_read_back_from():
    from uuid import uuid4

    from domain.help_request import HelpRequest

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    desk = Actor("s.lopez", "help-desk")
    request = HelpRequest.receive(
        id=uuid4(),
        at=NOW,
        reference="H-0001",
        route="report",
        category="threat",
        school="roosevelt-high-school",
        when="Friday",
        words="A weapon at the game",
        contact="555-0100",
        life_safety=True,
        language="es",
        passphrase_hash="$argon2id$x",
    )
    request.escalated(1, "m.alvarez", at=NOW)
    request.acknowledge(actor=desk, at=NOW)
    request.assign("s.lopez", actor=desk, at=NOW)
    request.write_to_reporter("Which gate?", asks_details=True, actor=desk, at=NOW)
    request.reporter_writes("The north gate", at=NOW)
    request.route_to("police-liaison", "Watch the north gate", share_contact=True, actor=desk,
                     at=NOW)  # fmt: skip
    request.converted_to_incident("INC-2026-0001", "lockdown-or-threat", actor=desk, at=NOW)
    request.opened_needs_case("P-0001", actor=desk, at=NOW)
    request.mark_spam("test", actor=desk, at=NOW)
    request.close("incident", actor=desk, at=NOW)
    stored = [app.mapper.to_stored_event(e) for e in request.pending_events]
    common = {"timestamp", "actor", "previous_hash", "event_hash", "class_version"}
    shapes = [
        (
            s.topic.removeprefix("domain.help_request:HelpRequest."),
            set(json.loads(s.state)) - common,
        )
        for s in stored
    ]
    assert shapes == [
        ("Received", {"originator_topic", "reference", "route", "category", "school", "when",
                      "words", "contact", "life_safety", "language", "passphrase_hash"}),
        ("Escalated", {"step", "username"}),
        ("Acknowledged", set()),
        ("Assigned", {"username"}),
        ("DeskWrote", {"text", "asks_details"}),
        ("ReporterWrote", {"text"}),
        ("Routed", {"organisation", "need", "share_contact"}),
        ("ConvertedToIncident", {"incident_ref", "playbook_id"}),
        ("OpenedNeedsCase", {"person_ref"}),
        ("MarkedSpam", {"reason"}),
        ("Closed", {"outcome"}),
    ]  # fmt: skip
    loaded = None
    for old in stored:
        event = app.mapper.to_domain_event(old)
        assert event.computed_hash() == event.event_hash
        loaded = event.mutate(loaded)
    assert isinstance(loaded, HelpRequest) and loaded.state() == request.state()


def test_roster_events_are_stored_in_the_shape_they_are_read_back_from():
    from domain.roster import Roster, RosterContents, RosterSession

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    admin = Actor("admin", "admin")
    roster = Roster.start(actor=admin, at=NOW)
    session = RosterSession("as-1", "2026-27", "schoolYear", NOW.date(), NOW.date())
    roster.change_to(RosterContents(sessions={"as-1": session}), source="x", actor=admin, at=NOW)
    stored = [app.mapper.to_stored_event(e) for e in roster.pending_events]
    common = {"timestamp", "actor", "originator_topic"}
    shapes = [
        (s.topic.removeprefix("domain.roster:Roster."), set(json.loads(s.state)) - common)
        for s in stored
    ]
    assert shapes == [("Started", set()), ("Changed", {"source", "set", "removed"})]
    loaded = None
    for old in stored:
        loaded = app.mapper.to_domain_event(old).mutate(loaded)
    assert isinstance(loaded, Roster) and loaded.contents == roster.contents


def test_reunification_events_are_stored_in_the_shape_they_are_read_back_from():
    from uuid import uuid4

    from domain.reunification import Reunification

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    lead = Actor("m.alvarez", "crisis-lead")
    r = Reunification.open(incident_id=uuid4(), incident_ref="INC-2026-0001", kind="lockdown",
                           place="Gym", actor=lead, at=NOW)  # fmt: skip
    [one, two] = r.check_in("Bruno Hollis", "Licence", ["P-0001", "P-0002"], actor=lead, at=NOW)
    r.verify(one, id_matches=True, listed=True, custody_alert=False, guardian_ref="P-0100",
             actor=lead, at=NOW)  # fmt: skip
    r.verify(two, id_matches=True, listed=False, custody_alert=True, guardian_ref="",
             actor=lead, at=NOW)  # fmt: skip
    r.decide(two, release=True, reason="Court order seen", actor=lead, at=NOW)
    r.fetch(one, actor=lead, at=NOW)
    r.ask(one, comfortable=True, actor=lead, at=NOW)
    stored = [app.mapper.to_stored_event(e) for e in r.pending_events]
    common = {"timestamp", "actor", "originator_topic"}
    shapes = [
        (
            s.topic.removeprefix("domain.reunification:Reunification."),
            set(json.loads(s.state)) - common,
        )
        for s in stored
    ]
    assert shapes == [
        ("Opened", {"incident_id", "incident_ref", "place"}),
        ("GuardianCheckedIn", {"guardian", "name", "id_shown", "students"}),
        ("Verified", {"case", "id_matches", "listed", "custody_alert", "guardian_ref"}),
        ("Verified", {"case", "id_matches", "listed", "custody_alert", "guardian_ref"}),
        ("LeadDecided", {"case", "release", "reason"}),
        ("Fetched", {"case"}),
        ("StudentAsked", {"case", "comfortable"}),
        ("Released", {"case"}),
    ]
    loaded = None
    for old in stored:
        loaded = app.mapper.to_domain_event(old).mutate(loaded)
    assert isinstance(loaded, Reunification)
    assert loaded.counts() == r.counts() and loaded.case(one).status == "released"
    assert loaded.case(two).status == "verified"


def test_a_version_2_opening_loads_as_a_real_incident_and_keeps_its_hash():
    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    opened = storm("INC-2026-0005").pending_events[0]
    stored = app.mapper.to_stored_event(opened)
    state = json.loads(stored.state)
    assert state.pop("class_version") == 3
    del state["drill"]  # as version 2 stored it: there were no drills
    state["class_version"] = 2
    old = replace(stored, state=json.dumps(state).encode())

    event = app.mapper.to_domain_event(old)
    assert event.drill is False
    assert event.computed_hash() == event.event_hash == opened.event_hash
    loaded = event.mutate(None)
    assert loaded.drill is False and loaded.everyone_accounted_for is None


def test_a_format_4_snapshot_loads_as_a_real_incident_with_nothing_timed():
    from domain.incident_state import IncidentSnapshot

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    incident = storm("INC-2026-0006")
    snapshot = IncidentSnapshot.take(incident)
    stored = app.snapshots.mapper.to_stored_event(snapshot) if app.snapshots else None
    assert stored is not None
    record = json.loads(stored.state)
    for added in (
        "drill",
        "everyone_accounted_for",
        "reunification_completed",
        "participants",
        "changes_to_make",
    ):
        del record["state"][added]  # as format 4 stored it
    record["state"]["format"] = 4
    old = replace(stored, state=json.dumps(record).encode())

    loaded = app.snapshots.mapper.to_domain_event(old).mutate(None)
    assert loaded.reference == "INC-2026-0006" and loaded.drill is False
    assert (loaded.participants, loaded.changes_to_make) == (None, [])


def test_accounting_events_are_stored_in_the_shape_they_are_read_back_from():
    from uuid import uuid4

    from domain.accounting import ClassAccount, StaffAccount

    app = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"})
    teacher = Actor("h.sato", "responder")
    report = ClassAccount.start(
        incident_id=uuid4(), class_id="c-1", school="s", location="Room 11", actor=teacher, at=NOW
    )
    report.mark("P-0001", "missing", last_seen="restroom", actor=teacher, at=NOW)
    report.move_to("the gym", actor=teacher, at=NOW)
    me = StaffAccount.start(
        incident_id=report.incident_id, person_ref="P-0100", school="s", actor=teacher, at=NOW
    )
    me.report("safe", "the gym", actor=teacher, at=NOW)
    common = {"timestamp", "actor", "originator_topic"}
    for aggregate, expected in [
        (
            report,
            [
                ("Started", {"incident_id", "class_id", "school", "location"}),
                ("StudentMarked", {"person_ref", "status", "with_adult", "last_seen", "extra"}),
                ("Moved", {"location"}),
            ],
        ),
        (
            me,
            [
                ("Started", {"incident_id", "person_ref", "school"}),
                ("Reported", {"status", "where"}),
            ],
        ),
    ]:
        stored = [app.mapper.to_stored_event(e) for e in aggregate.pending_events]
        shapes = [(s.topic.rsplit(".", 1)[-1], set(json.loads(s.state)) - common) for s in stored]
        assert shapes == expected
        loaded = None
        for old in stored:
            loaded = app.mapper.to_domain_event(old).mutate(loaded)
        assert loaded.__dict__.keys() == aggregate.__dict__.keys()
    assert loaded.status == "safe"
