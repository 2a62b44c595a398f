"""A person's events are kept forever: their stored shape (fields and class version) is pinned
here, and none of them holds the identity. Changing a shape needs class_version + an upcast."""

import json
from datetime import UTC, datetime

from domain.affected_person import AffectedPerson
from domain.people import Actor
from service.incidents.application import Steady

LEAD = Actor("m.alvarez", "crisis-lead")
AT = datetime(2026, 10, 6, 9, 0, tzinfo=UTC)
BASE = {"originator_id", "originator_version", "timestamp", "originator_topic", "actor"}
SHAPES = {
    "Recorded": {"reference", "kind", "school", "grade"},
    "AffectedBy": {"incident_ref", "how_affected"},
    "Triaged": {
        "incident_ref",
        "factors",
        "warning_signs",
        "tier",
        "reason",
        "raised",
        "counselor",
    },
    "CounselorAssigned": {"incident_ref", "counselor"},
    "Referred": {"referral_id", "incident_ref", "to_kind", "to", "reason", "asked_to"},
    "ReferralMoved": {"referral_id", "status", "note"},
    "IdentityRecorded": set(),
    "IdentityViewed": {"surface"},
    "IdentityShared": {"organisation"},
    "IdentityShareRevoked": {"organisation", "reason"},
    "IdentityErased": {"reason"},
    "NeedsCaseOpened": {"help_reference"},
}


def test_every_event_of_a_person_is_stored_in_its_pinned_shape():
    person = AffectedPerson.record(
        reference="P-0042", kind="student", school="Lincoln Elementary", grade="4",
        incident_ref="INC-2026-0003", how_affected="in the gym", actor=LEAD, at=AT,
    )  # fmt: skip
    inc = "INC-2026-0003"
    person.triage(inc, factors=[], warning_signs=[], tier=1, reason="r", actor=LEAD, at=AT)
    person.assign_counselor(inc, "k.okafor", actor=LEAD, at=AT)
    person.refer(inc, kind="partner", to="eastside-counseling", reason="r", asked_to="a",
                 actor=LEAD, at=AT)  # fmt: skip
    person.move_referral("R1", "accepted", actor=LEAD, at=AT)
    person.identity_recorded(actor=LEAD, at=AT)
    person.identity_viewed("page", actor=LEAD, at=AT)
    person.share_identity("eastside-counseling", actor=LEAD, at=AT)
    person.revoke_share("eastside-counseling", "done", actor=LEAD, at=AT)
    person.erase_identity("asked", actor=LEAD, at=AT)
    person.open_needs_case("H-0007", actor=LEAD, at=AT)
    mapper = Steady({"PERSISTENCE_MODULE": "eventsourcing.popo"}).mapper
    seen = {}
    for event in person.collect_events():
        stored = mapper.to_stored_event(event)
        state = json.loads(stored.state)
        seen[type(event).__name__] = (state.pop("class_version", 1), set(state) - BASE)
        assert "P-0042" not in stored.topic and "Lincoln" not in stored.topic
    assert seen == {name: (1, fields) for name, fields in SHAPES.items()}
