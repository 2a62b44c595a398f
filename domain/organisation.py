"""Organisations people belong to: the district, its schools, and community partners."""

import re
from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate

from domain.errors import DomainError
from domain.incident import STEADY_NAMESPACE, check_text
from domain.people import Actor

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


def check_organisation_kind(kind: object) -> str:
    if kind not in ORGANISATION_KINDS:
        raise DomainError(
            f"unknown kind of organisation {kind!r}: "
            f"expected one of {', '.join(ORGANISATION_KINDS)}"
        )
    return str(kind)


class Organisation(Aggregate):
    """An organisation is created once; its id derives from its slug, which holds nothing
    personal."""

    class Event(Aggregate.Event):
        NAME = "organisation_event"

        actor: dict[str, str]

        @property
        def by(self) -> Actor:
            return Actor.from_dict(self.actor)

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

    def __init__(self, *, slug: str, name: str, kind: str, actor: dict[str, Any]) -> None:
        self.slug = slug
        self.name = name
        self.kind = kind
        self.created_by = Actor.from_dict(actor)

    @property
    def is_partner(self) -> bool:
        return self.kind == "partner"
