"""An affected person: a student, staff member or family a crisis touched, known inside Steady by
a pseudonym (P-0007) only. One record per person across incidents: on each incident, how they
were affected, their triage history, the counselor assigned and their referrals.

Their identity (name, ids, guardians) is never in an event: it is a record of its own, encrypted
with a key of its own (service.people.vault). Events say only that it was recorded, viewed,
shared with a partner, or erased, and by whom. The aggregate's id derives from the pseudonym; the
event class names are generic; nothing personal is in either."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.person_identity import IdentityRecord
from domain.person_reference import KINDS, MAX_AFFECTED, check_grade, check_person_reference
from domain.recording import ActorEvent, RecordsWhoActed
from domain.referral import Referral, ReferralStatus, ReferredTo, check_target, check_text
from domain.triage import Tier, Triage, check_factors, check_warning_signs, decide_tier


@dataclass(frozen=True)
class OnIncident:
    """How one incident touched the person."""

    incident_ref: str
    how_affected: str
    by: Actor
    at: datetime


class AffectedPerson(IdentityRecord, RecordsWhoActed, Aggregate):
    class Event(ActorEvent):
        NAME = "person_event"

    class Recorded(Event, Aggregate.Created):
        NAME = "person_recorded"

        reference: str
        kind: str
        school: str
        grade: str

    class AffectedBy(Event):
        NAME = "person_affected"

        incident_ref: str
        how_affected: str

        def apply(self, person: "AffectedPerson") -> None:
            person.incidents[self.incident_ref] = OnIncident(
                self.incident_ref, self.how_affected, self.by, self.timestamp
            )

    class Triaged(Event):
        """A triage: a re-triage is another of these, never a change to one."""

        NAME = "person_triaged"

        incident_ref: str
        factors: list[str]
        warning_signs: list[str]
        tier: int
        reason: str
        raised: bool
        counselor: str

        def apply(self, person: "AffectedPerson") -> None:
            person.triages.append(
                Triage(
                    incident_ref=self.incident_ref,
                    factors=tuple(self.factors),
                    warning_signs=tuple(self.warning_signs),
                    tier=Tier(self.tier),
                    reason=self.reason,
                    raised=self.raised,
                    counselor=self.counselor,
                    by=self.by,
                    at=self.timestamp,
                )
            )
            if self.counselor:
                person.counselors[self.incident_ref] = self.counselor

    class CounselorAssigned(Event):
        NAME = "person_counselor_assigned"

        incident_ref: str
        counselor: str

        def apply(self, person: "AffectedPerson") -> None:
            person.counselors[self.incident_ref] = self.counselor

    class NeedsCaseOpened(Event):
        """A family's needs case, from a help request: the record is then seen by those who
        see the school's people (domain/need_to_know.py), though no incident touches it."""

        NAME = "person_needs_case_opened"

        help_reference: str

        def apply(self, person: "AffectedPerson") -> None:
            person.needs_cases.append(self.help_reference)

    class Referred(Event):
        NAME = "person_referred"

        referral_id: str
        incident_ref: str
        to_kind: str
        to: str
        reason: str
        asked_to: str

        def apply(self, person: "AffectedPerson") -> None:
            person.referrals[self.referral_id] = Referral(
                id=self.referral_id,
                incident_ref=self.incident_ref,
                kind=ReferredTo(self.to_kind),
                to=self.to,
                reason=self.reason,
                asked_to=self.asked_to,
                status=ReferralStatus.OPEN,
                by=self.by,
                at=self.timestamp,
            )

    class ReferralMoved(Event):
        NAME = "person_referral_moved"

        referral_id: str
        status: str
        note: str

        def apply(self, person: "AffectedPerson") -> None:
            referral = person.referrals[self.referral_id]
            person.referrals[self.referral_id] = referral.moved(
                ReferralStatus(self.status), self.note
            )
            if self.status == ReferralStatus.CLOSED and referral.kind is ReferredTo.PARTNER:
                person.shared_with.discard(referral.to)  # the work is over: so is the sharing

    class IdentityRecorded(Event):
        """The identity was recorded (or replaced) in the vault: what it says is not here."""

        NAME = "person_identity_recorded"

        def apply(self, person: "AffectedPerson") -> None:
            person.has_identity = True

    class IdentityViewed(Event):
        """Someone saw the identity: every view is recorded, before it is shown."""

        NAME = "person_identity_viewed"

        surface: str

        def apply(self, person: "AffectedPerson") -> None:
            person.identity_views.append((self.by, self.surface, self.timestamp))

    class IdentityShared(Event):
        NAME = "person_identity_shared"

        organisation: str

        def apply(self, person: "AffectedPerson") -> None:
            person.shared_with.add(self.organisation)

    class IdentityShareRevoked(Event):
        NAME = "person_identity_share_revoked"

        organisation: str
        reason: str

        def apply(self, person: "AffectedPerson") -> None:
            person.shared_with.discard(self.organisation)

    class IdentityErased(Event):
        """The identity's key was destroyed: who erased it and why, never what it said."""

        NAME = "person_identity_erased"

        reason: str

        def apply(self, person: "AffectedPerson") -> None:
            person.erased = (self.by, self.reason, self.timestamp)
            person.shared_with.clear()

    @staticmethod
    def id_for(reference: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"person/{reference}")

    @classmethod
    def record(
        cls,
        *,
        reference: str,
        kind: str,
        school: str,
        grade: object,
        incident_ref: str,
        how_affected: str,
        actor: Actor,
        at: datetime,
    ) -> "AffectedPerson":
        if kind not in KINDS:
            raise DomainError(
                f"kind {kind!r} is not a kind of person: give one of {', '.join(KINDS)}"
            )
        school_name = school.strip() if isinstance(school, str) else ""
        if not school_name:
            raise DomainError("say which school the person is of, such as Roosevelt High School")
        person = cls._create(
            cls.Recorded,
            id=cls.id_for(reference),
            timestamp=at,
            actor=actor.as_dict(),
            reference=check_person_reference(reference),
            kind=kind,
            school=school_name,
            grade=check_grade(kind, grade),
        )
        person.add_to_incident(incident_ref, how_affected, actor=actor, at=at)
        return person

    @classmethod
    def record_family(
        cls, *, reference: str, school: str, help_reference: str, actor: Actor, at: datetime
    ) -> "AffectedPerson":
        """A family with a need and no incident (a needs case from a help request): the
        record, with no identity until one is recorded, and the needs case it is for."""
        person = cls.record_without_incident(
            reference=reference, kind="family", school=school, grade="", actor=actor, at=at
        )
        person.open_needs_case(help_reference, actor=actor, at=at)
        return person

    def open_needs_case(self, help_reference: str, *, actor: Actor, at: datetime) -> None:
        found = help_reference.strip().upper() if isinstance(help_reference, str) else ""
        if not found.startswith("H-"):
            raise DomainError("a needs case is opened from a help request, such as H-0001")
        if found in self.needs_cases:
            raise DomainError(f"{self.reference} already has the needs case of {found}")
        self._record(self.NeedsCaseOpened, actor, at, help_reference=found)

    @classmethod
    def record_without_incident(
        cls, *, reference: str, kind: str, school: str, grade: object, actor: Actor, at: datetime
    ) -> "AffectedPerson":
        """The record alone, before any incident touches the person: a family's needs case, or
        a student, staff member or guardian on the district's roster (service.rosters)."""
        if kind not in KINDS:
            raise DomainError(
                f"kind {kind!r} is not a kind of person: give one of {', '.join(KINDS)}"
            )
        school_name = school.strip() if isinstance(school, str) else ""
        if not school_name:
            raise DomainError(f"say which school the {kind} is of, such as Roosevelt High School")
        return cls._create(
            cls.Recorded,
            id=cls.id_for(reference),
            timestamp=at,
            actor=actor.as_dict(),
            reference=check_person_reference(reference),
            kind=kind,
            school=school_name,
            grade=check_grade(kind, grade),
        )

    def __init__(self, *, reference: str, kind: str, school: str, grade: str, **_: Any) -> None:
        self.reference = reference
        self.kind = kind
        self.school = school
        self.grade = grade
        self.incidents: dict[str, OnIncident] = {}
        self.triages: list[Triage] = []
        self.counselors: dict[str, str] = {}  # incident -> counselor's username
        self.referrals: dict[str, Referral] = {}
        self.has_identity = False
        self.identity_views: list[tuple[Actor, str, datetime]] = []
        self.shared_with: set[str] = set()
        self.erased: tuple[Actor, str, datetime] | None = None
        self.needs_cases: list[str] = []  # the help requests a family's needs case came from

    # -- reading ------------------------------------------------------------------------------

    def tier(self, incident_ref: str | None = None) -> Tier | None:
        """The latest triage's tier (on one incident, or on any)."""
        found = [t for t in self.triages if incident_ref in (None, t.incident_ref)]
        return found[-1].tier if found else None

    def triages_on(self, incident_ref: str) -> list[Triage]:
        return [t for t in self.triages if t.incident_ref == incident_ref]

    def referrals_on(self, incident_ref: str) -> list[Referral]:
        return [r for r in self.referrals.values() if r.incident_ref == incident_ref]

    def referred_to_partner(self, organisation: str) -> list[Referral]:
        return [r for r in self.referrals.values() if r.for_partner(organisation)]

    def is_counselor(self, username: str) -> bool:
        return bool(username) and username in self.counselors.values()

    @property
    def identity_erased(self) -> bool:
        return self.erased is not None

    def state(self) -> dict[str, Any]:
        """Everything the person holds, as plain values: replay compares these exactly."""
        return {
            "reference": self.reference,
            "kind": self.kind,
            "school": self.school,
            "grade": self.grade,
            "incidents": {k: (v.how_affected, v.by, v.at) for k, v in self.incidents.items()},
            "triages": list(self.triages),
            "counselors": dict(self.counselors),
            "referrals": dict(self.referrals),
            "has_identity": self.has_identity,
            "identity_views": list(self.identity_views),
            "shared_with": sorted(self.shared_with),
            "erased": self.erased,
        }

    # -- changing -----------------------------------------------------------------------------

    def _on(self, incident_ref: str) -> None:
        if incident_ref not in self.incidents:
            raise DomainError(
                f"{self.reference} is not recorded on {incident_ref}: add them to it first"
            )

    def add_to_incident(
        self, incident_ref: str, how_affected: str, *, actor: Actor, at: datetime
    ) -> None:
        if incident_ref in self.incidents:
            raise DomainError(f"{self.reference} is already recorded on {incident_ref}")
        said = how_affected.strip() if isinstance(how_affected, str) else ""
        if not said:
            raise DomainError(
                "say how the person was affected, such as 'in the classroom next door'"
            )
        if len(said) > MAX_AFFECTED:
            raise DomainError(
                f"how they were affected is {len(said)} characters: keep it to {MAX_AFFECTED}"
            )
        self._record(self.AffectedBy, actor, at, incident_ref=incident_ref, how_affected=said)

    def triage(
        self,
        incident_ref: str,
        *,
        factors: list[str],
        warning_signs: list[str],
        tier: object,
        reason: str,
        counselor: str = "",
        actor: Actor,
        at: datetime,
    ) -> Triage:
        self._on(incident_ref)
        signs = check_warning_signs(warning_signs)
        decision = decide_tier(tier, reason, signs)
        self._record(
            self.Triaged,
            actor,
            at,
            incident_ref=incident_ref,
            factors=list(check_factors(factors)),
            warning_signs=list(signs),
            tier=int(decision.tier),
            reason=decision.reason,
            raised=decision.raised,
            counselor=counselor.strip().lower(),
        )
        return self.triages[-1]

    def assign_counselor(
        self, incident_ref: str, counselor: str, *, actor: Actor, at: datetime
    ) -> None:
        self._on(incident_ref)
        name = counselor.strip().lower()
        if not name:
            raise DomainError("say who the counselor is, by their username, such as k.okafor")
        if self.counselors.get(incident_ref) == name:
            raise DomainError(
                f"{name} is already the counselor of {self.reference} on {incident_ref}"
            )
        self._record(self.CounselorAssigned, actor, at, incident_ref=incident_ref, counselor=name)

    def refer(
        self,
        incident_ref: str,
        *,
        kind: str,
        to: str,
        reason: str,
        asked_to: str,
        actor: Actor,
        at: datetime,
    ) -> Referral:
        self._on(incident_ref)
        target_kind, target = check_target(kind, to)
        referral_id = f"R{len(self.referrals) + 1}"
        self._record(
            self.Referred,
            actor,
            at,
            referral_id=referral_id,
            incident_ref=incident_ref,
            to_kind=str(target_kind),
            to=target,
            reason=check_text("why they are referred", reason, "panic attacks since the event"),
            asked_to=check_text(
                "what they are asked to do", asked_to, "assess and offer counselling this week"
            ),
        )
        return self.referrals[referral_id]

    def move_referral(
        self, referral_id: str, status: str, *, note: str = "", actor: Actor, at: datetime
    ) -> Referral:
        referral = self.referrals.get(referral_id.strip().upper())
        if referral is None:
            known = ", ".join(self.referrals) or "none yet"
            raise DomainError(
                f"{self.reference} has no referral {referral_id!r}: theirs are {known}"
            )
        if status not in tuple(ReferralStatus):
            raise DomainError(f"status {status!r} is not a referral's: give accepted or closed")
        referral.moved(ReferralStatus(status), note)  # refuses a move the rules do not allow
        self._record(
            self.ReferralMoved, actor, at, referral_id=referral.id, status=status, note=note.strip()
        )
        return self.referrals[referral.id]
