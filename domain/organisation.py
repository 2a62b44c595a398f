"""Organisations people belong to: the district, its schools, and community partners."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.people import Actor
from domain.recording import ActorEvent, OneOfItsKind, RecordsWhoActed
from domain.school_days import DEFAULT_HOURS, SchoolHours
from domain.text import check_text

ORGANISATION_KINDS: dict[str, str] = {
    "district": "the school district",
    "school": "a school of the district",
    "partner": "a community partner (mental-health agency, police liaison, food bank, ...)",
}
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_SLUG = 64
MAX_NAME = 200


def check_slug(slug: object) -> str:
    if not isinstance(slug, str):
        raise DomainError("an organisation's id must be text, such as riverside-usd")
    slug = slug.strip().lower()
    if not SLUG_PATTERN.match(slug) or len(slug) > MAX_SLUG:
        raise DomainError(
            f"organisation id {slug!r} is not valid: use lowercase letters, digits and single "
            f"hyphens, at most {MAX_SLUG} characters, such as lincoln-elementary"
        )
    return slug


def school_key(name: str) -> str:
    """Schools match by id or by name, whichever way they are written (an incident names its
    schools in words; an account holds organisation ids)."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


def check_organisation_kind(kind: object) -> str:
    if kind not in ORGANISATION_KINDS:
        raise DomainError(
            f"unknown kind of organisation {kind!r}: "
            f"expected one of {', '.join(ORGANISATION_KINDS)}"
        )
    return str(kind)


class Organisation(RecordsWhoActed, Aggregate):
    """An organisation is created once; its id derives from its slug, which holds nothing
    personal."""

    class Event(ActorEvent):
        NAME = "organisation_event"

    class Created(Event, Aggregate.Created):
        NAME = "organisation_created"

        slug: str
        name: str
        kind: str

    @staticmethod
    def id_for(slug: str) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"organisation/{check_slug(slug)}")

    @classmethod
    def create(
        cls, *, slug: str, name: str, kind: str, actor: Actor, at: datetime
    ) -> "Organisation":
        slug = check_slug(slug)
        return cls._create(
            cls.Created,
            id=cls.id_for(slug),
            timestamp=at,
            actor=actor.as_dict(),
            slug=slug,
            name=check_text("organisation name", name, limit=MAX_NAME),
            kind=check_organisation_kind(kind),
        )

    class StandsIn(Event):
        """The partner takes the district's place in a playbook role: when a playbook is
        applied, the tasks of that role are assigned to it."""

        NAME = "organisation_stands_in"

        role: str

        def apply(self, organisation: "Organisation") -> None:
            organisation.stands_in = sorted({*organisation.stands_in, self.role})

    class StandInEnded(Event):
        NAME = "organisation_stand_in_ended"

        role: str

        def apply(self, organisation: "Organisation") -> None:
            organisation.stands_in = [r for r in organisation.stands_in if r != self.role]

    class SchoolHoursSet(Event):
        """When the school's day starts and ends (HH:MM, district time): steps due "before
        school starts" or "by the end of the school day" at this school count from them."""

        NAME = "organisation_school_hours_set"

        start: str
        end: str

        def apply(self, organisation: "Organisation") -> None:
            organisation.hours = SchoolHours.parse(self.start, self.end)

    def __init__(self, *, slug: str, name: str, kind: str, actor: dict[str, Any]) -> None:
        self.slug = slug
        self.name = name
        self.kind = kind
        self.created_by = Actor.from_dict(actor)
        self.stands_in: list[str] = []  # playbook role ids
        self.hours: SchoolHours | None = None  # a school's own hours; None: DEFAULT_HOURS

    @property
    def school_hours(self) -> SchoolHours:
        return self.hours or DEFAULT_HOURS

    def set_school_hours(self, start: str, end: str, *, actor: Actor, at: datetime) -> None:
        if self.kind != "school":
            raise DomainError(
                f"{self.name} is a {self.kind}, not a school: only a school has school hours"
            )
        hours = SchoolHours.parse(start, end)
        if hours == self.school_hours and self.hours is not None:
            raise DomainError(f"{self.name}'s school day is already {hours}")
        self._record(
            self.SchoolHoursSet, actor, at, start=f"{hours.start:%H:%M}", end=f"{hours.end:%H:%M}"
        )

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"

    def stand_in(self, role: str, *, roles: Mapping[str, str], actor: Actor, at: datetime) -> None:
        """Stands in for one of `roles` (the playbook roles there are: id -> title)."""
        role = check_playbook_role(role, roles)
        if not self.is_partner:
            raise DomainError(
                f"{self.name} is a {self.kind}, not a partner organisation: only a community "
                "partner stands in for a playbook role (the district's own people hold it as a "
                "position)"
            )
        if role in self.stands_in:
            raise DomainError(f"{self.name} already stands in for {roles[role]} ({role})")
        self._record(self.StandsIn, actor, at, role=role)

    def end_stand_in(self, role: str, *, actor: Actor, at: datetime) -> None:
        """Ends it even for a role no playbook declares any more: taking a duty away is always
        allowed."""
        if role not in self.stands_in:
            now = ", ".join(self.stands_in) or "none"
            raise DomainError(
                f"{self.name} does not stand in for {role!r}; it stands in for: {now}"
            )
        self._record(self.StandInEnded, actor, at, role=role)


def check_playbook_role(role: object, roles: Mapping[str, str]) -> str:
    """A role some playbook declares; a refusal lists them."""
    wanted = role.strip().lower() if isinstance(role, str) else role
    if wanted not in roles:
        known = ", ".join(f"{r} ({title})" for r, title in sorted(roles.items())) or "none"
        raise DomainError(f"no playbook has a role {role!r}: use one of {known}")
    return str(wanted)


class StandIns(OneOfItsKind, Aggregate):
    """Which partner stands in for each playbook role: one organisation a role. Saved with the
    organisation whose stand-in changes, so two admins giving one role to two partners at the
    same moment conflict, and the second is refused; applying a playbook reads one aggregate,
    not every organisation."""

    ID_NAME = "stand-ins"

    class Event(ActorEvent):
        pass

    class Started(Event, Aggregate.Created):
        pass

    class Taken(Event):
        role: str
        organisation: str

        def apply(self, stand_ins: "StandIns") -> None:
            stand_ins.roles[self.role] = self.organisation

    class Released(Event):
        role: str

        def apply(self, stand_ins: "StandIns") -> None:
            stand_ins.roles.pop(self.role, None)

    def __init__(self, actor: dict[str, Any]) -> None:
        self.roles: dict[str, str] = {}  # playbook role id -> organisation slug

    def take(
        self,
        role: str,
        organisation: Organisation,
        *,
        names: Mapping[str, str],
        actor: Actor,
        at: datetime,
    ) -> None:
        """Two partners never stand in for one role: which of them would get its tasks? The
        admin ends the first one's stand-in, then gives the role to the other."""
        holder = self.roles.get(role)
        if holder is not None and holder != organisation.slug:
            raise DomainError(
                f"{names.get(holder, holder)} ({holder}) already stands in for {role}: end that "
                f"first, then let {organisation.name} stand in"
            )
        self._record(self.Taken, actor, at, role=role, organisation=organisation.slug)

    def release(self, role: str, *, actor: Actor, at: datetime) -> None:
        if role in self.roles:
            self._record(self.Released, actor, at, role=role)
