"""A person's follow-ups after one incident: the check-ins of their tier's plan, who owns them,
what each check-in found, and how the plan changed (a re-triage, a new school calendar).

One FollowUps stream per (person, incident), named by the person's pseudonymous reference
(P-0007) and the incident's reference: neither is personal, so the id may derive from them."""

import re
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain import moments
from domain.check_ins import (
    NEEDS_NEXT_STEP,
    NEEDS_NOTE,
    OUTCOMES,
    CheckIn,
    Recorded,
    in_due_order,
    in_number_order,
    loaded,
    stored,
)
from domain.errors import DomainError, NotFound
from domain.follow_up_plan import KeyDates, PlannedCheckIn, check_tier
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.person_reference import check_person_reference
from domain.recording import ActorEvent, RecordsWhoActed
from domain.text import MAX_TEXT, MAX_TITLE, check_text

INCIDENT_REF = re.compile(r"^INC-\d{4}-\d{4,}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


def check_incident_ref(ref: object) -> str:
    text = ref.strip().upper() if isinstance(ref, str) else ""
    if not INCIDENT_REF.match(text):
        raise DomainError(
            f"{ref!r} is not an incident's reference: give it as INC-, the year and a number, "
            "such as INC-2026-0007"
        )
    return text


def check_owner(owner: object) -> str:
    text = owner.strip().lower() if isinstance(owner, str) else ""
    if not USERNAME.match(text):
        raise DomainError(
            f"{owner!r} is not a username: give the account of the person who owns the "
            "follow-ups, such as k.okafor"
        )
    return text


class FollowUps(RecordsWhoActed, Aggregate):
    class Event(ActorEvent):
        NAME = "follow_ups_event"

    class Planned(Event, Aggregate.Created):
        """The plan of the person's tier laid out on the school calendar (class version 1)."""

        NAME = "follow_ups_planned"
        class_version = 1

        person_ref: str
        incident_ref: str
        tier: int
        owner: str
        source: str  # where the plan came from: "playbook-id v3", or the district's default
        start: str  # the moment the plan counts from (the triage), ISO 8601
        key_dates: dict[str, str]  # KeyDates.as_dict(): what a new calendar recounts from
        check_ins: list[dict[str, str]]

    class Replanned(Event):
        """A re-triage changed the tier: the open check-ins give way to the new plan's."""

        NAME = "follow_ups_replanned"
        class_version = 1

        tier: int
        source: str
        start: str
        key_dates: dict[str, str]
        cancelled: list[str]
        check_ins: list[dict[str, str]]

        def apply(self, follow_ups: "FollowUps") -> None:
            for check_in_id in self.cancelled:
                follow_ups.check_ins[check_in_id] = replace(
                    follow_ups.check_ins[check_in_id], cancelled=True
                )
            follow_ups.tier = self.tier
            follow_ups.source = self.source
            follow_ups.start = datetime.fromisoformat(self.start)
            follow_ups.key_dates = KeyDates.from_dict(self.key_dates)
            follow_ups._add(loaded(self.check_ins))

    class CheckInRecorded(Event):
        NAME = "check_in_recorded"
        class_version = 1

        check_in_id: str
        outcome: str
        note: str
        next_step: str

        def apply(self, follow_ups: "FollowUps") -> None:
            recorded = Recorded(self.outcome, self.note, self.next_step, self.timestamp, self.by)
            check_in = follow_ups.check_ins[self.check_in_id]
            follow_ups.check_ins[self.check_in_id] = replace(check_in, recorded=recorded)

    class CheckInsRescheduled(Event):
        """Due moments moved (the school calendar changed): [{id, due}], with the reason."""

        NAME = "check_ins_rescheduled"
        class_version = 1

        moved: list[dict[str, str]]
        reason: str

        def apply(self, follow_ups: "FollowUps") -> None:
            for move in self.moved:
                check_in = follow_ups.check_ins[move["id"]]
                due = datetime.fromisoformat(move["due"])
                follow_ups.check_ins[move["id"]] = replace(check_in, due=due)

    class OwnerChanged(Event):
        NAME = "follow_ups_owner_changed"
        class_version = 1

        owner: str

        def apply(self, follow_ups: "FollowUps") -> None:
            follow_ups.owner = self.owner

    def __init__(
        self,
        person_ref: str,
        incident_ref: str,
        tier: int,
        owner: str,
        source: str,
        start: str,
        key_dates: dict[str, str],
        check_ins: list[dict[str, str]],
    ) -> None:
        self.person_ref = person_ref
        self.incident_ref = incident_ref
        self.tier = tier
        self.owner = owner
        self.source = source
        self.start = datetime.fromisoformat(start)
        self.key_dates = KeyDates.from_dict(key_dates)
        self.check_ins: dict[str, CheckIn] = {}
        self.plan_ids: list[str] = []  # the check-ins of the latest plan, in planned order
        self._add(loaded(check_ins))

    def _add(self, check_ins: list[CheckIn]) -> None:
        self.plan_ids = [check_in.id for check_in in check_ins]
        for check_in in check_ins:
            self.check_ins[check_in.id] = check_in

    @staticmethod
    def id_for(person_ref: str, incident_ref: str) -> UUID:
        person, incident = check_person_reference(person_ref), check_incident_ref(incident_ref)
        return uuid5(STEADY_NAMESPACE, f"follow-ups/{person}/{incident}")

    @classmethod
    def plan(
        cls,
        *,
        person_ref: str,
        incident_ref: str,
        tier: int,
        owner: str,
        source: str,
        start: datetime,
        key_dates: KeyDates,
        check_ins: list[PlannedCheckIn],
        actor: Actor,
        at: datetime,
    ) -> "FollowUps":
        moments.check_moment("at", at)
        person, incident = check_person_reference(person_ref), check_incident_ref(incident_ref)
        numbered = [(f"C{n}", c) for n, c in enumerate(check_ins, start=1)]
        return cls._create(
            cls.Planned,
            id=cls.id_for(person, incident),
            timestamp=at,
            actor=actor.as_dict(),
            person_ref=person,
            incident_ref=incident,
            tier=check_tier(tier),
            owner=check_owner(owner),
            source=source,
            start=moments.check_moment("start", start).isoformat(),
            key_dates=key_dates.checked().as_dict(),
            check_ins=stored(numbered),
        )

    # -- reading ----------------------------------------------------------------------------

    def open_check_ins(self) -> list[CheckIn]:
        return sorted((c for c in self.check_ins.values() if c.is_open), key=in_due_order)

    def check_in(self, check_in_id: str) -> CheckIn:
        found = self.check_ins.get(check_in_id.strip().upper())
        if found is None:
            raise NotFound(
                f"{self.person_ref} has no check-in {check_in_id!r} on {self.incident_ref}: "
                "pick one from their list of check-ins"
            )
        return found

    def as_record(self) -> dict[str, Any]:
        """Everything the stream says, as plain values: what replay must give back exactly."""
        return {
            "person_ref": self.person_ref,
            "incident_ref": self.incident_ref,
            "tier": self.tier,
            "owner": self.owner,
            "source": self.source,
            "start": self.start.isoformat(),
            "key_dates": self.key_dates.as_dict(),
            "plan_ids": list(self.plan_ids),
            "check_ins": [
                {
                    "id": c.id,
                    "label": c.label,
                    "due": c.due.isoformat(),
                    "milestone": c.milestone,
                    "cancelled": c.cancelled,
                    "recorded": None
                    if c.recorded is None
                    else {
                        "outcome": c.recorded.outcome,
                        "note": c.recorded.note,
                        "next_step": c.recorded.next_step,
                        "at": c.recorded.at.isoformat(),
                        "by": c.recorded.by.as_dict(),
                    },
                }
                for c in sorted(self.check_ins.values(), key=in_number_order)
            ],
        }

    # -- commands ---------------------------------------------------------------------------

    def replan(
        self,
        *,
        tier: int,
        source: str,
        start: datetime,
        key_dates: KeyDates,
        check_ins: list[PlannedCheckIn],
        actor: Actor,
        at: datetime,
    ) -> None:
        """The open check-ins that are still ahead give way to the new tier's; those already
        recorded stay as they were, and so do missed ones (they stay overdue until recorded:
        a missed check-in is not forgotten by re-triage)."""
        moments.check_moment("at", at)
        cancelled = [c.id for c in self.open_check_ins() if c.due >= at]
        next_number = len(self.check_ins) + 1
        numbered = [(f"C{n}", c) for n, c in enumerate(check_ins, start=next_number)]
        self._record(
            self.Replanned,
            actor,
            at,
            tier=check_tier(tier),
            source=source,
            start=moments.check_moment("start", start).isoformat(),
            key_dates=key_dates.checked().as_dict(),
            cancelled=cancelled,
            check_ins=stored(numbered),
        )

    def record_check_in(
        self,
        check_in_id: str,
        *,
        outcome: str,
        note: str = "",
        next_step: str = "",
        actor: Actor,
        at: datetime,
    ) -> None:
        moments.check_moment("at", at)
        check_in = self.check_in(check_in_id)
        if check_in.recorded is not None:
            raise DomainError(
                f"{check_in.id} ({check_in.label}) of {self.person_ref} was already recorded "
                f"as {OUTCOMES[check_in.recorded.outcome].lower()} by "
                f"{check_in.recorded.by.user}: add what is new to the next check-in instead"
            )
        if check_in.cancelled:
            raise DomainError(
                f"{check_in.id} ({check_in.label}) of {self.person_ref} was replaced when the "
                "plan changed: record the check-in on one of the open ones"
            )
        if outcome not in OUTCOMES:
            choices = ", ".join(f"{k} ({v.lower()})" for k, v in OUTCOMES.items())
            raise DomainError(f"outcome {outcome!r} is not one of {choices}")
        note = check_text("note", note, limit=MAX_TEXT, required=False, multiline=True)
        next_step = check_text("next step", next_step, limit=MAX_TITLE, required=False)
        if outcome in NEEDS_NOTE and not note:
            raise DomainError(
                f"say what happened in a note when the outcome is "
                f"{OUTCOMES[outcome].lower()}: what you saw, or how you tried to reach them"
            )
        if outcome in NEEDS_NEXT_STEP and not next_step:
            raise DomainError(
                "a concern needs its next step: say what happens now, such as "
                "'referred to the school psychologist'"
            )
        self._record(
            self.CheckInRecorded,
            actor,
            at,
            check_in_id=check_in.id,
            outcome=outcome,
            note=note,
            next_step=next_step,
        )

    def reschedule(
        self, new_dues: dict[str, datetime], *, reason: str, actor: Actor, at: datetime
    ) -> list[str]:
        """Moves open check-ins still ahead to new due moments; returns the ids moved (none
        recorded when nothing changes)."""
        moments.check_moment("at", at)
        moved = [
            {"id": c.id, "due": new_dues[c.id].isoformat()}
            for c in self.open_check_ins()
            if c.id in new_dues and c.due >= at and new_dues[c.id] != c.due
        ]
        if moved:
            reason = check_text("reason", reason, limit=MAX_TITLE)
            self._record(self.CheckInsRescheduled, actor, at, moved=moved, reason=reason)
        return [m["id"] for m in moved]

    def change_owner(self, owner: str, *, actor: Actor, at: datetime) -> None:
        moments.check_moment("at", at)
        owner = check_owner(owner)
        if owner != self.owner:
            self._record(self.OwnerChanged, actor, at, owner=owner)


EVENT_CLASSES: list[type[FollowUps.Event]] = [
    FollowUps.Planned,
    FollowUps.Replanned,
    FollowUps.CheckInRecorded,
    FollowUps.CheckInsRescheduled,
    FollowUps.OwnerChanged,
]
