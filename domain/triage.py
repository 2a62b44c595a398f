"""Psychological triage after a crisis, as PREPaRE weighs it, and the MTSS tier it leads to.

A triage records which risk factors were found, which warning signs were seen, the tier chosen
and why. Warning signs (dissociation, panic, hyper-arousal, re-experiencing, avoidance,
depression) call for immediate referral: a triage that sees one is tier 3 whatever tier was
asked for, and its reason says so. Triage is repeated (early triage finds the urgent few, fuller
evaluation follows), so each triage is kept; the latest one is the person's tier."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any

from domain.errors import DomainError
from domain.people import Actor

MAX_REASON = 2000


class Tier(IntEnum):
    """MTSS tiers of support."""

    UNIVERSAL = 1  # class or school-wide support
    TARGETED = 2  # small groups, regular check-ins
    INTENSIVE = 3  # individual counselling, referral to community mental health

    @property
    def label(self) -> str:
        return f"tier {int(self)} ({self.name.lower()})"

    @classmethod
    def parse(cls, value: object) -> "Tier":
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, int) or value not in (1, 2, 3):
            raise DomainError(
                f"tier {value!r} is not a tier: give 1 (universal), 2 (targeted) or 3 (intensive)"
            )
        return cls(value)


# PREPaRE's risk factors, by id, in the words of the triage form.
FACTORS: dict[str, str] = {
    "physical_proximity": "Physical proximity: was there, saw or heard it, was hurt",
    "emotional_proximity": "Emotional proximity: lost or knew well someone hurt or killed",
    "internal_vulnerabilities": (
        "Internal vulnerabilities: earlier trauma, mental-health history, developmental level"
    ),
    "external_vulnerabilities": (
        "External vulnerabilities: little family or peer support, poverty"
    ),
    "threat_perception": "Threat perception: felt the event as threatening their life",
    "crisis_reactions": "Crisis reactions: distress, grief, trouble sleeping or concentrating",
}

# Warning signs among the crisis reactions: each one calls for immediate referral.
WARNING_SIGNS: dict[str, str] = {
    "dissociation": "Dissociation",
    "panic": "Panic",
    "hyper_arousal": "Hyper-arousal",
    "re_experiencing": "Re-experiencing",
    "avoidance": "Avoidance",
    "depression": "Depression",
}


def _chosen(what: str, given: Iterable[object], known: dict[str, str]) -> tuple[str, ...]:
    if isinstance(given, str):
        raise DomainError(f"{what} must be a list, such as [{next(iter(known))!r}]")
    chosen: list[str] = []
    for item in given:
        value = item.strip().lower().replace("-", "_") if isinstance(item, str) else item
        if value not in known:
            raise DomainError(f"{item!r} is not one of the {what}: choose from {', '.join(known)}")
        if value not in chosen:
            chosen.append(str(value))
    return tuple(k for k in known if k in chosen)  # the form's order: replay compares exactly


def check_factors(given: Iterable[object]) -> tuple[str, ...]:
    return _chosen("risk factors", given, FACTORS)


def check_warning_signs(given: Iterable[object]) -> tuple[str, ...]:
    return _chosen("warning signs", given, WARNING_SIGNS)


@dataclass(frozen=True)
class TierDecision:
    """The tier a triage ends with, why, and whether the warning signs raised it."""

    tier: Tier
    reason: str
    raised: bool


def decide_tier(asked: object, reason: str, warning_signs: Iterable[str]) -> TierDecision:
    """THE triage rule: a warning sign raises the tier to 3 (intensive), and the reason says
    which signs did; otherwise the tier asked for stands. A reason is always required."""
    tier = Tier.parse(asked)
    said = reason.strip() if isinstance(reason, str) else ""
    if not said:
        raise DomainError(
            "say why this tier: a triage needs a reason, such as 'was in the hallway; "
            "lost a close friend'"
        )
    if len(said) > MAX_REASON:
        raise DomainError(f"the reason is {len(said)} characters: keep it to {MAX_REASON}")
    signs = check_warning_signs(warning_signs)
    if signs and tier < Tier.INTENSIVE:
        names = ", ".join(WARNING_SIGNS[s].lower() for s in signs)
        raised = (
            f"Raised to {Tier.INTENSIVE.label} from {tier.label}: warning signs call for "
            f"immediate referral ({names}). "
        )
        return TierDecision(Tier.INTENSIVE, raised + said, True)
    return TierDecision(tier, said, False)


@dataclass(frozen=True)
class Triage:
    """One triage of a person on an incident, as recorded: never edited, only followed."""

    incident_ref: str
    factors: tuple[str, ...]
    warning_signs: tuple[str, ...]
    tier: Tier
    reason: str
    raised: bool  # the warning signs raised the tier to 3
    counselor: str  # the counselor assigned with this triage (a username), or ""
    by: Actor
    at: datetime

    @property
    def refer_now(self) -> bool:
        return bool(self.warning_signs)

    def as_dict(self) -> dict[str, Any]:
        return {
            "incident": self.incident_ref,
            "factors": list(self.factors),
            "warning_signs": list(self.warning_signs),
            "tier": int(self.tier),
            "tier_label": self.tier.label,
            "reason": self.reason,
            "raised_by_warning_signs": self.raised,
            "counselor": self.counselor or None,
            "by": self.by.as_dict(),
            "at": self.at.isoformat(),
        }
