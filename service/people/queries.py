"""Reading affected people: one by pseudonym, those of an incident, and what a viewer may see
of each (service.access.need_to_know decides how much)."""

from collections.abc import Iterable
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.utils import get_topic

from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.person_reference import check_person_reference
from service.access.need_to_know import (
    Sight,
    Viewer,
    partner_referrals,
    person_incidents,
    person_sight,
)
from service.incidents.application import Steady
from service.recovery.district import PersonInRecovery, ReferralState

AFFECTED_TOPIC = get_topic(AffectedPerson.AffectedBy)
RECORDED_TOPIC = get_topic(AffectedPerson.Recorded)
PAGE = 1000


class PeopleQueries:
    steady: Steady  # given by the People it is part of

    def person(self, ref: str) -> AffectedPerson:
        try:
            reference = check_person_reference(ref)
        except DomainError:
            raise NotFound(f"{ref!r} is not a person's reference: write it as P-0007") from None
        try:
            person = self.steady.repository.get(AffectedPerson.id_for(reference))
        except AggregateNotFoundError:
            raise NotFound(f"no person {reference}: check the reference, such as P-0007") from None
        if not isinstance(person, AffectedPerson):
            raise NotFound(f"no person {reference}")
        return person

    def references_on(self, incident_ref: str) -> list[str]:
        """The pseudonyms recorded on an incident, in the order they were recorded. Reads the
        log's "affected by" events (one per person and incident): a district records hundreds
        of people a year, not millions."""
        found: list[str] = []
        position = 0
        while True:
            section = self.steady.recorder.select_notifications(
                position, PAGE, topics=[AFFECTED_TOPIC], inclusive_of_start=False
            )
            for notification in section:
                event = self.steady.mapper.to_domain_event(notification)
                if getattr(event, "incident_ref", None) == incident_ref:
                    person = self.steady.repository.get(event.originator_id, version=1)
                    if person.reference not in found:
                        found.append(person.reference)
            if len(section) < PAGE:
                return found
            position = section[-1].id

    def everyone(self) -> list[AffectedPerson]:
        """Every affected person of the district, in the order they were recorded."""
        found: list[AffectedPerson] = []
        position = 0
        while True:
            section = self.steady.recorder.select_notifications(
                position, PAGE, topics=[RECORDED_TOPIC], inclusive_of_start=False
            )
            found += [self.steady.repository.get(n.originator_id) for n in section]
            if len(section) < PAGE:
                return found
            position = section[-1].id

    def in_recovery(self) -> tuple[list[PersonInRecovery], list[ReferralState]]:
        """What the district's recovery picture (service.recovery.district) counts: each person
        on each incident with their tier there, and each referral, open or not. No names."""
        people, referrals = [], []
        for person in self.everyone():
            for ref in person.incidents:
                tier = person.tier(ref)
                people.append(
                    PersonInRecovery(
                        person.reference, ref, person.school, int(tier) if tier else None
                    )
                )
            referrals += [
                ReferralState(person.reference, r.incident_ref, person.school, r.status != "closed")
                for r in person.referrals.values()
            ]
        return people, referrals

    def on_incident(self, incident_ref: str) -> list[AffectedPerson]:
        return [self.person(ref) for ref in self.references_on(incident_ref)]

    def incidents_of(self, person: AffectedPerson) -> dict[str, Incident]:
        return {ref: self.steady.incident(ref) for ref in person.incidents}

    def sight_of(self, viewer: Viewer, person: AffectedPerson) -> Sight:
        return person_sight(viewer, person, self.incidents_of(person))

    def seen_person(self, viewer: Viewer, ref: str) -> tuple[AffectedPerson, Sight]:
        """The person, if this viewer may know they exist; NotFound as for no such person."""
        person = self.person(ref)
        found = self.sight_of(viewer, person)
        if found is Sight.NONE:
            raise NotFound(f"no person {person.reference}: check the reference, such as P-0007")
        return person, found

    def view(self, viewer: Viewer, person: AffectedPerson) -> dict[str, Any]:
        """What this viewer may see of the person, as the API and pages show it: pseudonyms
        only, never the identity."""
        incidents = self.incidents_of(person)
        if person_sight(viewer, person, incidents) is not Sight.WHOLE:
            referral_ids = partner_referrals(viewer, person)
            return {
                "reference": person.reference,
                "referrals": [
                    {k: v for k, v in person.referrals[r].as_dict().items() if k != "by"}
                    for r in referral_ids
                ],
                "identity": {"shared_with_you": viewer.organisation in person.shared_with},
            }
        seen = person_incidents(viewer, person, incidents)
        return {
            "reference": person.reference,
            "kind": person.kind,
            "school": person.school,
            "grade": person.grade or None,
            "tier": int(tier) if (tier := latest_tier(person, seen)) else None,
            "incidents": [on_incident_view(person, ref) for ref in seen],
            "needs_cases": list(person.needs_cases),
            "identity": identity_status(person),
        }


def latest_tier(person: AffectedPerson, incidents: Iterable[str]) -> int | None:
    chosen = set(incidents)
    found = [t for t in person.triages if t.incident_ref in chosen]
    return int(found[-1].tier) if found else None


def on_incident_view(person: AffectedPerson, ref: str) -> dict[str, Any]:
    on = person.incidents[ref]
    tier = person.tier(ref)
    return {
        "incident": ref,
        "how_affected": on.how_affected,
        "recorded_by": on.by.as_dict(),
        "recorded_at": on.at.isoformat(),
        "tier": int(tier) if tier else None,
        "counselor": person.counselors.get(ref),
        "triages": [t.as_dict() for t in person.triages_on(ref)],
        "referrals": [r.as_dict() for r in person.referrals_on(ref)],
    }


def identity_status(person: AffectedPerson) -> dict[str, Any]:
    """Whether there is an identity and what became of it: never what it says."""
    erased = person.erased
    return {
        "recorded": person.has_identity,
        "erased": erased is not None,
        "erased_by": erased[0].as_dict() if erased else None,
        "erased_reason": erased[1] if erased else None,
        "erased_at": erased[2].isoformat() if erased else None,
        "shared_with": sorted(person.shared_with),
        "views": [
            {"by": by.as_dict(), "surface": surface, "at": at.isoformat()}
            for by, surface, at in person.identity_views
        ],
    }
