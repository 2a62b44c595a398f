"""Who an affected person is: the record kept apart from every incident, encrypted with a key of
its own (service.people.vault), and shown only to those with need-to-know.

Nothing here ever goes into an event: events hold the person's pseudonym (P-0007) only."""

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from domain.errors import DomainError

MAX_FIELD = 200
MAX_GUARDIANS = 6


def _text(what: str, value: object, *, required: bool = False, example: str = "") -> str:
    said = value.strip() if isinstance(value, str) else ""
    if value is not None and not isinstance(value, str):
        raise DomainError(f"{what} must be text")
    if required and not said:
        raise DomainError(f"give the person's {what}, such as {example!r}")
    if len(said) > MAX_FIELD:
        raise DomainError(f"{what} is {len(said)} characters: keep it to {MAX_FIELD}")
    return said


@dataclass(frozen=True)
class Guardian:
    name: str
    contact: str  # a phone number or an email address, as the family gave it
    relationship: str = ""

    @classmethod
    def parse(cls, value: object) -> "Guardian":
        if not isinstance(value, dict):
            raise DomainError("each guardian is {'name': ..., 'contact': ..., 'relationship': ...}")
        return cls(
            name=_text("guardian's name", value.get("name"), required=True, example="Ana Diaz"),
            contact=_text(
                "guardian's contact", value.get("contact"), required=True, example="555-0142"
            ),
            relationship=_text("guardian's relationship", value.get("relationship")),
        )


@dataclass(frozen=True)
class Identity:
    name: str
    person_id: str = ""  # the student or staff id of the district's records; none for a family
    date_of_birth: date | None = None
    guardians: tuple[Guardian, ...] = field(default_factory=tuple)
    language: str = ""  # the family's language

    @classmethod
    def parse(cls, data: dict[str, Any]) -> "Identity":
        born = data.get("date_of_birth") or None
        if isinstance(born, str):
            try:
                born = date.fromisoformat(born.strip())
            except ValueError:
                raise DomainError(
                    f"date of birth {born!r} is not a date: write it as YYYY-MM-DD"
                ) from None
        if born is not None and not isinstance(born, date):
            raise DomainError("date of birth must be a date written YYYY-MM-DD")
        guardians = data.get("guardians") or []
        if not isinstance(guardians, list | tuple) or len(guardians) > MAX_GUARDIANS:
            raise DomainError(f"guardians must be a list of at most {MAX_GUARDIANS}")
        return cls(
            name=_text("name", data.get("name"), required=True, example="Jordan Diaz"),
            person_id=_text("student or staff id", data.get("person_id")),
            date_of_birth=born,
            guardians=tuple(Guardian.parse(g) for g in guardians),
            language=_text("family's language", data.get("language")),
        )

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["date_of_birth"] = self.date_of_birth.isoformat() if self.date_of_birth else None
        data["guardians"] = [asdict(g) for g in self.guardians]
        return data

    def to_json(self) -> bytes:
        return json.dumps(self.as_dict(), ensure_ascii=False, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> "Identity":
        return cls.parse(json.loads(raw))
