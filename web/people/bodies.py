"""What the people API's commands send: one body per command. Each field declares, for the API's
document, what the domain takes; the domain checks every value again and says what was wrong."""

from dataclasses import dataclass
from dataclasses import field as default
from typing import Annotated, Any

from domain.person_reference import GRADES, KINDS
from domain.referral import MAX_TEXT, ReferralStatus, ReferredTo
from domain.triage import FACTORS, MAX_REASON, WARNING_SIGNS
from web.api_fields import field, one_of, text

Words = Annotated[str, field(text(MAX_TEXT))]
MaybeWords = Annotated[str, field(text(MAX_TEXT, required=False))]
Short = Annotated[str, field(text(200))]
MaybeShort = Annotated[str, field(text(200, required=False))]
IncidentRef = Annotated[
    str, field(text(40), description="the incident's reference, such as INC-2026-0007")
]
Username = Annotated[
    str, field(text(64, required=False), description="a username, such as k.okafor")
]


@dataclass
class GuardianBody:
    name: Short
    contact: Annotated[str, field(text(200), description="a phone number or email address")]
    relationship: MaybeShort = ""


@dataclass
class IdentityBody:
    """Who the person is: kept apart from every incident, encrypted with a key of its own."""

    name: Short
    person_id: Annotated[
        str, field(text(200, required=False), description="the student or staff id")
    ] = ""
    date_of_birth: Annotated[
        str | None,
        field({"pattern": r"^\d{4}-\d{2}-\d{2}$"}, description="YYYY-MM-DD"),
    ] = None
    guardians: list[GuardianBody] = default(default_factory=list)
    language: Annotated[str, field(text(200, required=False), description="the family's")] = ""

    def as_data(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "person_id": self.person_id,
            "date_of_birth": self.date_of_birth,
            "guardians": [
                {"name": g.name, "contact": g.contact, "relationship": g.relationship}
                for g in self.guardians
            ],
            "language": self.language,
        }


@dataclass
class RecordPerson:
    kind: Annotated[str, field(one_of(KINDS))]
    school: Short
    how_affected: Words
    grade: Annotated[
        str | None, field(one_of(GRADES, nullable=True), description="for students only")
    ] = None
    identity: IdentityBody | None = None


@dataclass
class TriagePerson:
    incident: IncidentRef
    tier: Annotated[int, field({"minimum": 1, "maximum": 3}, description="1 universal, "
                               "2 targeted, 3 intensive; a warning sign makes it 3")]  # fmt: skip
    reason: Annotated[str, field(text(MAX_REASON))]
    factors: Annotated[list[str], field({"items": {"type": "string", **one_of(FACTORS)}})] = (
        default(default_factory=list)
    )
    warning_signs: Annotated[
        list[str], field({"items": {"type": "string", **one_of(WARNING_SIGNS)}})
    ] = default(default_factory=list)
    counselor: Username = ""


@dataclass
class Refer:
    incident: IncidentRef
    to_kind: Annotated[str, field(one_of(ReferredTo))]
    to: Annotated[str, field(text(64), description="a position or username (professional), "
                             "or an organisation id (partner)")]  # fmt: skip
    reason: Words
    asked_to: Words


@dataclass
class MoveReferral:
    status: Annotated[str, field(one_of([ReferralStatus.ACCEPTED, ReferralStatus.CLOSED]))]
    note: MaybeWords = ""


@dataclass
class AssignCounselor:
    incident: IncidentRef
    counselor: Annotated[str, field(text(64), description="a username, such as k.okafor")]


@dataclass
class ShareIdentity:
    organisation: Annotated[str, field(text(64), description="the partner's id")]


@dataclass
class EndShare:
    reason: Words


@dataclass
class Erase:
    reason: Words
