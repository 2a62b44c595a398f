"""A referral of an affected person: to a school mental-health professional (by their position
or username) or to a partner organisation (by its id), with the reason and what they are asked
to do. It is open until the one referred to accepts it, and closed when the work is done or it
is withdrawn."""

import re
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from domain.errors import DomainError
from domain.people import Actor

MAX_TEXT = 2000
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")


class ReferredTo(StrEnum):
    PROFESSIONAL = "professional"  # a school mental-health professional: position or username
    PARTNER = "partner"  # a partner organisation, by its id


class ReferralStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    CLOSED = "closed"


# Which status a referral may move to from each.
NEXT_STATUSES: dict[ReferralStatus, tuple[ReferralStatus, ...]] = {
    ReferralStatus.OPEN: (ReferralStatus.ACCEPTED, ReferralStatus.CLOSED),
    ReferralStatus.ACCEPTED: (ReferralStatus.CLOSED,),
    ReferralStatus.CLOSED: (),
}


def check_text(what: str, text: object, example: str) -> str:
    said = text.strip() if isinstance(text, str) else ""
    if not said:
        raise DomainError(f"say {what}, such as {example!r}")
    if len(said) > MAX_TEXT:
        raise DomainError(f"{what} is {len(said)} characters: keep it to {MAX_TEXT}")
    return said


def check_target(kind: object, to: object) -> tuple[ReferredTo, str]:
    if kind not in tuple(ReferredTo):
        raise DomainError(
            f"cannot refer to a {kind!r}: refer to a {ReferredTo.PROFESSIONAL} (a position or "
            f"username, such as school-psychologist) or a {ReferredTo.PARTNER} (an organisation "
            "id, such as eastside-counseling)"
        )
    name = to.strip().lower() if isinstance(to, str) else ""
    if not NAME_PATTERN.match(name):
        raise DomainError(
            f"{to!r} is not a position, username or organisation id: use lowercase letters, "
            "digits, dots and hyphens, such as school-psychologist or eastside-counseling"
        )
    return ReferredTo(kind), name


@dataclass(frozen=True)
class Referral:
    id: str  # R1, R2, ... within the person
    incident_ref: str
    kind: ReferredTo
    to: str
    reason: str
    asked_to: str  # what the one referred to is asked to do
    status: ReferralStatus
    by: Actor
    at: datetime
    status_note: str = ""

    def moved(self, status: ReferralStatus, note: str) -> "Referral":
        if status not in NEXT_STATUSES[self.status]:
            allowed = ", ".join(NEXT_STATUSES[self.status]) or "nothing: it is closed"
            raise DomainError(f"referral {self.id} is {self.status}: it can move to {allowed}")
        return replace(self, status=status, status_note=note)

    def for_partner(self, organisation: str) -> bool:
        return self.kind is ReferredTo.PARTNER and self.to == organisation

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "incident": self.incident_ref,
            "to_kind": str(self.kind),
            "to": self.to,
            "reason": self.reason,
            "asked_to": self.asked_to,
            "status": str(self.status),
            "status_note": self.status_note,
            "by": self.by.as_dict(),
            "at": self.at.isoformat(),
        }
