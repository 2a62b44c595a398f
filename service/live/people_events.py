"""Follow-up and affected-person events as the live feed carries them: pseudonyms and incident
references only, and of what each event says only what its audience may see without the
person's page (no free text of a check-in, a triage or a referral for the district; no date
that could give a birthday away; no identity event at all).

Whom each reaches is decided on the event loop from what is resolved here, in the reader's
thread, where the store may be read: a follow-up event names the owners of its check-ins (and
their organisations), a person event the incidents it concerns, the person's counselor on each,
and the view each partner organisation the person is referred to may have."""

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.affected_person import AffectedPerson
from domain.follow_ups import FollowUps
from service.live.feed_events import plain

FOLLOW_UP_CLASSES: list[type[FollowUps.Event]] = [
    FollowUps.Planned,
    FollowUps.Replanned,
    FollowUps.CheckInRecorded,
    FollowUps.CheckInsRescheduled,
    FollowUps.OwnerChanged,
]
# Identity events are never on the feed: who the person is, and who looked, is the vault's.
PERSON_CLASSES: list[type[AffectedPerson.Event]] = [
    AffectedPerson.Recorded,
    AffectedPerson.AffectedBy,
    AffectedPerson.Triaged,
    AffectedPerson.CounselorAssigned,
    AffectedPerson.Referred,
    AffectedPerson.ReferralMoved,
    AffectedPerson.IdentityErased,
]
FOLLOW_UP_TOPICS = [get_topic(cls) for cls in FOLLOW_UP_CLASSES]
PERSON_TOPICS = [get_topic(cls) for cls in PERSON_CLASSES]


@dataclass(frozen=True)
class FollowUpFeedEvent:
    position: int
    person_ref: str
    incident_ref: str
    incident_id: UUID
    # Whose check-ins the event changes (an owner change: the one before and the one after),
    # with the organisation of each: who may record them is who receives it.
    owners: tuple[str, ...]
    owner_organisations: tuple[str, ...]
    version: int
    type: str
    at: datetime
    actor: dict[str, str]
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "follow_ups": {
                "person": self.person_ref,
                "incident": self.incident_ref,
                "owner": self.owners[-1],
            },
            "version": self.version,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "data": plain(self.data),
        }


@dataclass(frozen=True)
class PersonFeedEvent:
    position: int
    person_ref: str
    incidents: tuple[str, ...]  # the incidents it concerns, by reference
    counselors: dict[str, str]  # incident reference -> the person's counselor there
    version: int
    type: str
    at: datetime
    actor: dict[str, str]
    data: dict[str, Any]
    # organisation -> what it may see (its own referral's reason and ask), compare=False: the
    # partner's copy is made with replace().
    partner_views: dict[str, dict[str, Any]] = field(default_factory=dict, compare=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "position": self.position,
            "person": {"reference": self.person_ref, "incidents": list(self.incidents)},
            "version": self.version,
            "type": self.type,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "data": plain(self.data),
        }

    def for_partner(self, organisation: str) -> "PersonFeedEvent | None":
        data = self.partner_views.get(organisation)
        if data is None:
            return None
        # A partner knows the person by pseudonym and their referral, not the incidents.
        return replace(self, incidents=(), counselors={}, data=data, partner_views={})


def follow_up_data(event: FollowUps.Event) -> dict[str, Any]:
    """What a follow-up event says that its audience may see: which check-ins, their outcome,
    the tier and owner; never the note or next step, nor a due date (a birthday is one)."""
    if isinstance(event, FollowUps.Planned):
        return {"tier": event.tier, "check_ins": [c["id"] for c in event.check_ins]}
    if isinstance(event, FollowUps.Replanned):
        return {
            "tier": event.tier,
            "cancelled": list(event.cancelled),
            "check_ins": [c["id"] for c in event.check_ins],
        }
    if isinstance(event, FollowUps.CheckInRecorded):
        return {"check_in_id": event.check_in_id, "outcome": event.outcome}
    if isinstance(event, FollowUps.CheckInsRescheduled):
        return {"moved": [m["id"] for m in event.moved]}
    if isinstance(event, FollowUps.OwnerChanged):
        return {"owner": event.owner}
    return {}


def person_data(event: AffectedPerson.Event) -> dict[str, Any]:
    """What a person event says that those who see the person may see on the feed: the
    pseudonymous facts the People affected section shows, without the free text."""
    if isinstance(event, AffectedPerson.Recorded):
        return {"kind": event.kind, "school": event.school, "grade": event.grade}
    if isinstance(event, AffectedPerson.AffectedBy):
        return {"incident_ref": event.incident_ref}
    if isinstance(event, AffectedPerson.Triaged):
        return {"incident_ref": event.incident_ref, "tier": event.tier, "raised": event.raised}
    if isinstance(event, AffectedPerson.CounselorAssigned):
        return {"incident_ref": event.incident_ref, "counselor": event.counselor}
    if isinstance(event, AffectedPerson.Referred):
        return {"incident_ref": event.incident_ref, "referral_id": event.referral_id}
    if isinstance(event, AffectedPerson.ReferralMoved):
        return {"referral_id": event.referral_id, "status": event.status}
    return {}


def partner_data(event: AffectedPerson.Event, person: AffectedPerson) -> dict[str, dict]:
    """The partner organisations a referral event is about, each with what it may see: the
    referral's reason and what they are asked to do (partner_referrals' rule)."""
    if isinstance(event, AffectedPerson.Referred | AffectedPerson.ReferralMoved):
        referral = person.referrals.get(event.referral_id)
        if referral is None or not referral.for_partner(referral.to):
            return {}
        if isinstance(event, AffectedPerson.Referred):
            said = {"reason": event.reason, "asked_to": event.asked_to}
        else:
            said = {"status": event.status}
        return {referral.to: {"referral_id": event.referral_id, **said}}
    return {}


def incidents_of(event: AffectedPerson.Event, person: AffectedPerson) -> tuple[str, ...]:
    """The incidents a person event concerns: its own, or (recorded, erased) all of theirs."""
    ref = getattr(event, "incident_ref", "")
    if ref:
        return (ref,)
    if isinstance(event, AffectedPerson.ReferralMoved):
        referral = person.referrals.get(event.referral_id)
        return (referral.incident_ref,) if referral is not None else ()
    return tuple(person.incidents)
