"""Opening an incident: its id from its reference, and the checks on what it is opened with.
Mixed into Incident, whose Opened event it records."""

from datetime import datetime
from typing import Any, Self
from uuid import UUID, uuid5

from domain.chain import GENESIS
from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE
from domain.kinds import check_kind
from domain.moments import check_occurred_at
from domain.people import Actor
from domain.recording import ChainedEvent, chained
from domain.severity import check_severity
from domain.text import MAX_TITLE, check_text


class IncidentOpening:
    """How an incident starts, and the one check every later command makes: that it is open."""

    # What it uses of the Incident it is mixed into:
    reference: str
    closed: bool
    Opened: type[ChainedEvent]

    @staticmethod
    def id_for(reference: str) -> UUID:
        """Ids derive from the human reference, which holds nothing personal."""
        return uuid5(STEADY_NAMESPACE, reference.strip().upper())

    @classmethod
    def open(
        cls,
        *,
        reference: str,
        title: str,
        kind: str,
        severity: int,
        schools: list[str],
        summary: str,
        occurred_at: datetime,
        actor: Actor,
        at: datetime,
        drill: bool = False,
    ) -> Self:
        """Opens the incident; `drill`: it is a drill of its kind, never the real thing."""
        check_occurred_at(occurred_at, at)
        if not isinstance(schools, list) or not all(isinstance(s, str) for s in schools):
            raise DomainError("schools must be a list of school names")
        # A school that shows nothing is left out, as an empty one always was.
        schools = [check_text("school", s, limit=MAX_TITLE, required=False) for s in schools]
        schools = [s for s in schools if s]
        if not schools:
            raise DomainError("name at least one school affected by the incident")
        incident_id = cls.id_for(reference)
        fields: dict[str, Any] = {
            "reference": reference,
            "title": check_text("title", title, limit=MAX_TITLE),
            "kind": check_kind(kind),
            "severity": check_severity(severity),
            "schools": list(dict.fromkeys(schools)),
            "summary": check_text("summary", summary, required=False, multiline=True),
            "occurred_at": occurred_at,
            "drill": check_drill(drill),
        }
        return cls._create(
            cls.Opened,
            id=incident_id,
            timestamp=at,
            **chained(GENESIS, incident_id, cls.Opened, actor, at, fields),
            **fields,
        )

    def _require_open(self, action: str) -> None:
        if self.closed:
            raise DomainError(
                f"{self.reference} is closed; reopen it with a reason before you {action}"
            )


def check_drill(drill: object) -> bool:
    if not isinstance(drill, bool):
        raise DomainError("drill must be true (a drill) or false (a real incident)")
    return drill
