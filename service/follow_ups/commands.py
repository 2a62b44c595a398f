"""What changes a person's follow-ups: planning them from their tier (and planning again after
a re-triage), recording a check-in, giving them to another owner, and moving the check-ins
still ahead when the school calendar changes.

The plan comes from the first playbook applied to the incident that declares the tier in its
[[follow_ups]]; if none does, from the district's default, the [[follow_ups]] of the playbook
named DEFAULT_PLAN_PLAYBOOK (a district replaces it by overriding that playbook). The school
calendar comes from `calendar_for` (the calendars part, once merged: Calendars.calendar_for),
the school day's hours from the incident's schools."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.follow_up_plan import (
    TIER_NAMES,
    KeyDates,
    PlannedCheckIn,
    TierPlan,
    add_months,
    check_tier,
    plan_check_ins,
)
from domain.follow_ups import FollowUps, check_incident_ref, check_owner
from domain.incident import Incident
from domain.people import Actor
from domain.person_reference import check_person_reference
from domain.school_days import WEEKDAYS, SchoolCalendar
from service.access.permissions import may_own_follow_ups, may_record_check_in
from service.follow_ups.due import planned_streams
from service.incidents.application import Steady
from service.store.retrying import retry_on_conflict

DEFAULT_PLAN_PLAYBOOK = "long-term-recovery-follow-ups"
TOO_BUSY = "these follow-ups are changing too fast to change now; try again"

CalendarFor = Callable[[Sequence[str]], SchoolCalendar]
AccountOf = Callable[[str], Account]  # an account by username; NotFound if there is none


@dataclass(frozen=True)
class Recorded:
    """What recording a check-in did: `again` when the same check-in was sent again (the
    first answer stands; nothing new was saved)."""

    follow_ups: FollowUps
    check_in_id: str
    again: bool = False


def _weekdays(_schools: Sequence[str]) -> SchoolCalendar:
    return WEEKDAYS


class FollowUpCommands:
    def __init__(
        self,
        steady: Steady,
        account_of: AccountOf,
        *,
        calendar_for: CalendarFor = _weekdays,
    ) -> None:
        self.steady = steady
        self.account_of = account_of
        self.calendar_for = calendar_for
        # The person's birthday (month, day) when their identity gives it: the composition root
        # connects the people part's vault.
        self.birthday_of: Callable[[str], tuple[int, int] | None] = lambda _ref: None

    # -- reading ----------------------------------------------------------------------------

    def follow_ups(self, person_ref: str, incident_ref: str) -> FollowUps:
        try:
            return self.steady.repository.get(FollowUps.id_for(person_ref, incident_ref))
        except AggregateNotFoundError:
            raise NotFound(
                f"{check_person_reference(person_ref)} has no follow-ups on "
                f"{check_incident_ref(incident_ref)}: they are planned when the person is "
                "triaged"
            ) from None

    def _existing(self, person_ref: str, incident_ref: str) -> FollowUps | None:
        try:
            return self.follow_ups(person_ref, incident_ref)
        except NotFound:
            return None

    def tier_plan(self, incident: Incident, tier: int) -> tuple[TierPlan, str]:
        """The tier's plan and where it came from ("playbook-id v3")."""
        library = self.steady.playbooks
        known = {playbook.id: playbook for playbook in library.all()}
        ids = [applied.id for applied in incident.playbooks] + [DEFAULT_PLAN_PLAYBOOK]
        for playbook in (known[i] for i in ids if i in known):
            plan = playbook.follow_ups.for_tier(tier) if playbook.follow_ups else None
            if plan is not None:
                return plan, f"{playbook.id} v{playbook.version}"
        raise DomainError(
            f"no playbook of {incident.reference} declares a follow-up plan for tier {tier} "
            f"({TIER_NAMES[tier]}), and neither does the district's default playbook "
            f"{DEFAULT_PLAN_PLAYBOOK!r}: add a [[follow_ups]] entry with tier = {tier} to one "
            "of them (playbooks/FORMAT.md)"
        )

    def laid_out(
        self, incident: Incident, plan: TierPlan, start: datetime, key_dates: KeyDates
    ) -> list[PlannedCheckIn]:
        """The plan's check-ins on the calendar of the incident's schools, from `start`."""
        clock = self.steady.school_clock(incident.schools)
        if key_dates.anniversary is None:
            opened = incident.occurred_at.astimezone(self.steady.zone).date()
            key_dates = replace(key_dates, anniversary=add_months(opened, 12))
        return plan_check_ins(
            plan,
            start=start,
            zone=self.steady.zone,
            calendar=self.calendar_for(incident.schools),
            hours=clock.hours,
            key_dates=key_dates,
        )

    # -- commands ---------------------------------------------------------------------------

    def plan(
        self,
        person_ref: str,
        incident_ref: str,
        *,
        tier: int,
        owner: str,
        key_dates: KeyDates | None = None,
        actor: Actor,
    ) -> FollowUps:
        """Plans the person's check-ins for their tier (after a triage). Planned before, the
        open check-ins still ahead give way to the new tier's (after a re-triage)."""
        tier = check_tier(tier)
        owner = self._owner(owner)
        given = key_dates.checked() if key_dates is not None else None
        incident = self.steady.incident(incident_ref)
        plan, source = self.tier_plan(incident, tier)

        def attempt() -> FollowUps:
            now = self.steady.clock()
            existing = self._existing(person_ref, incident.reference)
            # A re-triage that gives no key dates keeps those the plan has.
            key_dates = given or (existing.key_dates if existing else KeyDates())
            check_ins = self.laid_out(incident, plan, now, key_dates)
            if existing is None:
                follow_ups = FollowUps.plan(
                    person_ref=person_ref,
                    incident_ref=incident.reference,
                    tier=tier,
                    owner=owner,
                    source=source,
                    start=now,
                    key_dates=key_dates,
                    check_ins=check_ins,
                    actor=actor,
                    at=now,
                )
            else:
                follow_ups = existing
                follow_ups.replan(
                    tier=tier,
                    source=source,
                    start=now,
                    key_dates=key_dates,
                    check_ins=check_ins,
                    actor=actor,
                    at=now,
                )
                follow_ups.change_owner(owner, actor=actor, at=now)
            self.steady.save(follow_ups)
            return follow_ups

        return retry_on_conflict(attempt, too_busy=TOO_BUSY)

    def after_triage(
        self, person_ref: str, incident_ref: str, tier: int, counselor: str | None, actor: Actor
    ) -> FollowUps:
        """The hook the people part calls after each triage (its `after_triage` list): plans,
        or plans again, for the new tier. The owner is the counselor assigned; without one, the
        follow-ups' owner so far, or else whoever triaged."""
        existing = self._existing(person_ref, incident_ref)
        owner = counselor or (existing.owner if existing else actor.user)
        birthday = self.birthday_of(person_ref)
        known = existing.key_dates if existing else KeyDates()
        key_dates = replace(known, birthday=birthday) if birthday else None
        return self.plan(
            person_ref, incident_ref, tier=int(tier), owner=owner, key_dates=key_dates, actor=actor
        )

    def change_owner(
        self, person_ref: str, incident_ref: str, owner: str, *, actor: Actor
    ) -> FollowUps:
        owner = self._owner(owner)

        def attempt() -> FollowUps:
            follow_ups = self.follow_ups(person_ref, incident_ref)
            follow_ups.change_owner(owner, actor=actor, at=self.steady.clock())
            self.steady.save(follow_ups)
            return follow_ups

        return retry_on_conflict(attempt, too_busy=TOO_BUSY)

    def record_check_in(
        self,
        person_ref: str,
        incident_ref: str,
        check_in_id: str,
        *,
        outcome: str,
        note: str = "",
        next_step: str = "",
        by: Account,
        actor: Actor,
    ) -> Recorded:
        """Records what a check-in found. The same check-in sent again by the same person with
        the same words (a phone that lost the answer and resent) is answered as the first time,
        and nothing is saved twice; anything else on a recorded check-in is refused."""

        def attempt() -> Recorded:
            try:
                follow_ups = self.follow_ups(person_ref, incident_ref)
            except NotFound:
                # The same words as for someone else's: whether there are any is not theirs.
                raise NotFound(_not_yours(person_ref, incident_ref, by)) from None
            self.check_may_record(by, follow_ups)
            check_in = follow_ups.check_in(check_in_id)
            done = check_in.recorded
            if done is not None and (done.outcome, done.note, done.next_step, done.by.user) == (
                outcome,
                note.strip(),
                next_step.strip(),
                actor.user,
            ):
                return Recorded(follow_ups, check_in.id, again=True)
            follow_ups.record_check_in(
                check_in.id,
                outcome=outcome,
                note=note,
                next_step=next_step,
                actor=actor,
                at=self.steady.clock(),
            )
            self.steady.save(follow_ups)
            return Recorded(follow_ups, check_in.id)

        return retry_on_conflict(attempt, too_busy=TOO_BUSY)

    def reschedule_for_calendar(
        self, incident_refs: Sequence[str] | None = None, *, reason: str, actor: Actor
    ) -> dict[str, list[str]]:
        """Recounts the open check-ins still ahead of every person's follow-ups on these
        incidents (None: on every incident, as after a calendar import) on the calendar as it
        is now, recording each move (CheckInsRescheduled); returns, per "P-0007
        INC-2026-0003", the check-ins moved."""
        moved: dict[str, list[str]] = {}
        wanted = None if incident_refs is None else {check_incident_ref(r) for r in incident_refs}
        for stream_id in self._streams_of(wanted):
            follow_ups = self._reschedule(stream_id, reason=reason, actor=actor)
            if follow_ups is not None:
                moved[f"{follow_ups[0]} {follow_ups[1]}"] = follow_ups[2]
        return moved

    def _reschedule(
        self, stream_id: UUID, *, reason: str, actor: Actor
    ) -> tuple[str, str, list[str]] | None:
        def attempt() -> tuple[str, str, list[str]]:
            follow_ups: FollowUps = self.steady.repository.get(stream_id)
            incident = self.steady.incident(follow_ups.incident_ref)
            plan, _ = self.tier_plan(incident, follow_ups.tier)
            again = self.laid_out(incident, plan, follow_ups.start, follow_ups.key_dates)
            new_dues = _matched(follow_ups, again)
            ids = follow_ups.reschedule(
                new_dues, reason=reason, actor=actor, at=self.steady.clock()
            )
            if ids:
                self.steady.save(follow_ups)
            return follow_ups.person_ref, follow_ups.incident_ref, ids

        found = retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return found if found[2] else None

    def _streams_of(self, incident_refs: set[str] | None) -> list[UUID]:
        """The follow-ups streams of these incidents (None: all), from the log of Planned
        events."""
        streams = planned_streams(self.steady)
        return [i for i, ref in streams if incident_refs is None or ref in incident_refs]

    # -- who may -----------------------------------------------------------------------------

    def _owner(self, owner: str) -> str:
        owner = check_owner(owner)
        account = self.account_of(owner)
        if not may_own_follow_ups(account):
            raise DomainError(
                f"{owner} may not own follow-ups: give them to a counselor, social worker or "
                "school psychologist, a partner's clinician or a crisis lead"
            )
        return owner

    def owner_organisation(self, owner: str) -> str:
        try:
            return self.account_of(owner).organisation
        except NotFound:
            return ""

    def check_may_record(self, account: Account, follow_ups: FollowUps) -> None:
        organisation = self.owner_organisation(follow_ups.owner)
        if not may_record_check_in(
            account, owner=follow_ups.owner, owner_organisation=organisation
        ):
            # Not a 403 that says they exist: someone else's follow-ups are not theirs to know.
            raise NotFound(_not_yours(follow_ups.person_ref, follow_ups.incident_ref, account))


def _not_yours(person_ref: str, incident_ref: str, account: Account) -> str:
    return (
        f"{check_person_reference(person_ref)} has no follow-ups on "
        f"{check_incident_ref(incident_ref)} "
        f"that {account.username} may see: check the reference on your list of follow-ups, or "
        "ask the crisis lead"
    )


def _matched(follow_ups: FollowUps, again: list[PlannedCheckIn]) -> dict[str, datetime]:
    """The new due moment of each check-in of the latest plan: the nth check-in with a label
    is the nth with that label laid out again."""
    fresh: dict[tuple[str, int], datetime] = {}
    seen: dict[str, int] = {}
    for planned in again:
        seen[planned.label] = seen.get(planned.label, 0) + 1
        fresh[planned.label, seen[planned.label]] = planned.due
    found: dict[str, datetime] = {}
    counted: dict[str, int] = {}
    for check_in_id in follow_ups.plan_ids:
        check_in = follow_ups.check_ins[check_in_id]
        counted[check_in.label] = counted.get(check_in.label, 0) + 1
        due = fresh.get((check_in.label, counted[check_in.label]))
        if due is not None:
            found[check_in_id] = due
    return found
