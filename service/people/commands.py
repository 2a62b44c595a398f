"""Changing affected people: record one on an incident (the same person found again by a keyed
digest of their student or staff id), triage, assign a counselor, refer, move a referral.

After a triage, each hook in `after_triage` is called (the follow-up plans connect there: this
module knows nothing of them). A triage whose warning signs put the person into tier 3 adds an
urgent task to the incident, due by the end of the school day, with the incident's own command."""

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.affected_person import AffectedPerson
from domain.errors import DomainError, NotFound
from domain.identity import Identity
from domain.people import Actor
from domain.person_reference import PersonSequence, check_person_reference
from domain.referral import Referral
from domain.school_days import SchoolClock
from domain.triage import Tier, Triage
from service.accounts.service import Accounts
from service.incidents.application import Steady
from service.people.vault import IdentityVault
from service.store.retrying import retry_on_conflict

log = logging.getLogger(__name__)
# (person_ref, incident_ref, tier, counselor's username or None, actor)
AfterTriage = Callable[[str, str, Tier, str | None, Actor], None]
TOO_BUSY = "the store is too busy to record this now; try again"


def match_id_of(steady: Steady, kind: str, identity: Identity | None) -> UUID | None:
    """The keyed digest that finds a student or staff member again by their id: none for a
    family, or without an id."""
    if identity is None or not identity.person_id or kind not in ("student", "staff"):
        return None
    return steady.private_id("person-match", kind, identity.person_id.casefold())


def urgent_due(clock: SchoolClock, now: datetime) -> datetime:
    """Within the school day: the end of today's school day if it has not ended, else the end
    of the next school day."""
    today = clock.local_date(now)
    if clock.calendar.is_school_day(today) and now < clock.end(today):
        return clock.end(today)
    return clock.end(clock.calendar.after(today))


def urgent_title(reference: str) -> str:
    return f"Refer {reference} to intensive support today"


class PeopleCommands:
    steady: Steady  # given by the People it is part of
    accounts: Accounts
    after_triage: list[AfterTriage]

    _matching: threading.Lock

    # Given by the other parts of People.
    person: Callable[[str], AffectedPerson]
    store_identity: Callable[[AffectedPerson, Identity], None]
    _vault_now: Callable[[], IdentityVault]

    def _now(self, at: datetime | None) -> datetime:
        return at or self.steady.clock()

    def _change(self, ref: str, change: Callable[[AffectedPerson], Any]) -> Any:
        """Loads the person, decides the change, saves it; again if another writer saved first."""
        answer: list[Any] = []

        def attempt() -> bool:
            person = self.person(ref)
            answer[:] = [change(person)]
            self.steady.save(person)
            return True

        retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return answer[0]

    def record_person(
        self,
        incident_ref: str,
        *,
        kind: str,
        school: str,
        grade: object = "",
        how_affected: str,
        identity: Identity | None = None,
        actor: Actor,
        at: datetime | None = None,
    ) -> tuple[str, bool]:
        """Records a person on the incident; (their pseudonym, whether they were already known
        from another incident by their student or staff id)."""
        incident = self.steady.incident(incident_ref)  # NotFound for no such incident
        match_id = match_id_of(self.steady, kind, identity)
        # One recording of a student or staff id at a time in this process, so that two
        # requests for the same student make one record (across processes, see docs/domain.md).
        with self._matching:
            known = self._vault_now().match(match_id) if match_id is not None else None
            if known is not None:
                self._change(
                    known,
                    lambda p: p.add_to_incident(
                        incident.reference, how_affected, actor=actor, at=self._now(at)
                    ),
                )
                return known, True

            def attempt() -> str | None:
                sequence = self._sequence()
                reference = sequence.next_reference()
                person = AffectedPerson.record(
                    reference=reference,
                    kind=kind,
                    school=school,
                    grade=grade,
                    incident_ref=incident.reference,
                    how_affected=how_affected,
                    actor=actor,
                    at=self._now(at),
                )
                self.steady.save(person, sequence)
                return reference

            reference = retry_on_conflict(attempt, too_busy=TOO_BUSY)
            if identity is not None:
                self.record_identity(reference, identity, actor=actor, at=at)
        return reference, False

    def record_family(
        self,
        *,
        school: str,
        help_reference: str,
        identity: Identity | None,
        actor: Actor,
        at: datetime | None = None,
    ) -> str:
        """Records a family with a need and no incident (a needs case from a help request);
        their pseudonym. The identity, when there is one, goes to the vault as any does."""

        def attempt() -> str | None:
            sequence = self._sequence()
            reference = sequence.next_reference()
            person = AffectedPerson.record_family(
                reference=reference,
                school=school,
                help_reference=help_reference,
                actor=actor,
                at=self._now(at),
            )
            self.steady.save(person, sequence)
            return reference

        reference = retry_on_conflict(attempt, too_busy=TOO_BUSY)
        if identity is not None:
            self.record_identity(reference, identity, actor=actor, at=at)
        return reference

    def _sequence(self) -> PersonSequence:
        try:
            return self.steady.repository.get(PersonSequence.id_for())
        except AggregateNotFoundError:
            return PersonSequence.start()

    def record_identity(
        self, ref: str, identity: Identity, *, actor: Actor, at: datetime | None = None
    ) -> None:
        """Seals the identity in the vault first, then records that it was: an identity
        recorded is never missing from the vault (the other way round, a failed save, leaves
        one the person does not yet claim, and the next attempt replaces it)."""
        person = self.person(ref)
        if person.identity_erased:
            person.identity_recorded(actor=actor, at=self._now(at))  # refuses, saying why
        self.store_identity(person, identity)
        self._change(ref, lambda p: p.identity_recorded(actor=actor, at=self._now(at)))

    def _check_counselor(self, username: str) -> str:
        name = username.strip().lower()
        if not name:
            return ""
        try:
            account = self.accounts.account(name)
        except NotFound:
            raise DomainError(
                f"there is no account {name!r} to be the counselor: give a username, such as "
                "k.okafor"
            ) from None
        if account.disabled:
            raise DomainError(f"{name} is disabled and cannot be a counselor")
        return account.username

    def triage(
        self,
        ref: str,
        incident_ref: str,
        *,
        factors: list[str],
        warning_signs: list[str],
        tier: object,
        reason: str,
        counselor: str = "",
        actor: Actor,
        at: datetime | None = None,
    ) -> Triage:
        ref = check_person_reference(ref)
        chosen = self._check_counselor(counselor)
        incident_ref = self.steady.incident(incident_ref).reference
        before: list[Tier | None] = []

        def change(person: AffectedPerson) -> Triage:
            before[:] = [person.tier(incident_ref)]
            return person.triage(
                incident_ref,
                factors=factors,
                warning_signs=warning_signs,
                tier=tier,
                reason=reason,
                counselor=chosen,
                actor=actor,
                at=self._now(at),
            )

        done: Triage = self._change(ref, change)
        # Refer now: the first triage on this incident that puts them into tier 3 by warning
        # signs gets the urgent task; a re-triage while they are there adds no second one.
        if done.refer_now and before[0] is not Tier.INTENSIVE:
            self._add_urgent_task(ref, incident_ref, done, actor=actor, at=at)
        counselor_now = done.counselor or self.person(ref).counselors.get(incident_ref) or None
        for hook in self.after_triage:
            hook(ref, incident_ref, done.tier, counselor_now, actor)
        return done

    def _add_urgent_task(
        self, ref: str, incident_ref: str, done: Triage, *, actor: Actor, at: datetime | None
    ) -> None:
        incident = self.steady.incident(incident_ref)
        now = self._now(at)
        signs = ", ".join(s.replace("_", "-") for s in done.warning_signs)
        added = self.steady.add_task(
            incident_ref,
            title=urgent_title(ref),
            owner_role="counselor",
            instructions=(
                f"{ref} showed warning signs at triage ({signs}): refer them to intensive "
                "support today. Their identity is on their person page, for those who may see it."
            ),
            due_at=urgent_due(self.steady.school_clock(incident.schools), now),
            urgent=True,  # its assignee is emailed at once (service/outbox/urgent.py)
            actor=actor,
            at=at,
        )
        counselor = done.counselor or self.person(ref).counselors.get(incident_ref)
        if counselor:
            task_id = added.detail["task_id"]
            self.steady.assign_task(
                incident_ref, task_id, kind="person", name=counselor, actor=actor, at=at
            )

    def assign_counselor(
        self,
        ref: str,
        incident_ref: str,
        counselor: str,
        *,
        actor: Actor,
        at: datetime | None = None,
    ) -> None:
        chosen = self._check_counselor(counselor)
        if not chosen:
            raise DomainError("say who the counselor is, by their username, such as k.okafor")
        self._change(
            ref, lambda p: p.assign_counselor(incident_ref, chosen, actor=actor, at=self._now(at))
        )

    def refer(
        self,
        ref: str,
        incident_ref: str,
        *,
        kind: str,
        to: str,
        reason: str,
        asked_to: str,
        actor: Actor,
        at: datetime | None = None,
    ) -> Referral:
        if kind == "partner":
            self._check_partner(to)
        return self._change(
            ref,
            lambda p: p.refer(
                incident_ref,
                kind=kind,
                to=to,
                reason=reason,
                asked_to=asked_to,
                actor=actor,
                at=self._now(at),
            ),
        )

    def _check_partner(self, organisation: object) -> str:
        slug = organisation.strip().lower() if isinstance(organisation, str) else ""
        try:
            found = self.accounts.organisation(slug)
        except (NotFound, DomainError):
            raise DomainError(
                f"there is no partner organisation {organisation!r}: give its id, such as "
                "eastside-counseling"
            ) from None
        if found.kind != "partner":
            raise DomainError(
                f"{slug} is a {found.kind}, not a partner organisation: refer to a "
                "professional of the district by their position or username instead"
            )
        return slug

    def move_referral(
        self,
        ref: str,
        referral_id: str,
        status: str,
        *,
        note: str = "",
        actor: Actor,
        at: datetime | None = None,
    ) -> Referral:
        return self._change(
            ref,
            lambda p: p.move_referral(
                referral_id, status, note=note, actor=actor, at=self._now(at)
            ),
        )

    def share_identity(
        self, ref: str, organisation: str, *, actor: Actor, at: datetime | None = None
    ) -> None:
        slug = self._check_partner(organisation)
        self._change(ref, lambda p: p.share_identity(slug, actor=actor, at=self._now(at)))

    def revoke_identity_share(
        self, ref: str, organisation: str, reason: str, *, actor: Actor, at: datetime | None = None
    ) -> None:
        slug = organisation.strip().lower()
        self._change(ref, lambda p: p.revoke_share(slug, reason, actor=actor, at=self._now(at)))
