"""Help requests' desk references (H-0001), drawn from one district-wide sequence as people's
pseudonyms are (domain/person_reference.py)."""

import re
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import NotFound
from domain.ids import STEADY_NAMESPACE

REFERENCE_PATTERN = re.compile(r"^H-\d{4,}$")


def format_help_reference(number: int) -> str:
    return f"H-{number:04d}"


def check_help_reference(ref: object) -> str:
    value = ref.strip().upper() if isinstance(ref, str) else ""
    if not REFERENCE_PATTERN.match(value):
        raise NotFound(
            f"{ref!r} is not a help request's reference: write it as H-0001 is, H- and at "
            "least four digits"
        )
    return value


class HelpSequence(Aggregate):
    """The district-wide sequence of help request references. Drawing a number and receiving
    the request are saved together, so two writers who draw the same number conflict and one
    draws again."""

    @staticmethod
    def id_for() -> UUID:
        return uuid5(STEADY_NAMESPACE, "help-request-sequence")

    @classmethod
    def start(cls) -> "HelpSequence":
        return cls._create(cls.Started, id=cls.id_for())

    class Started(Aggregate.Created):
        pass

    def __init__(self) -> None:
        self.last_number = 0

    def next_reference(self) -> str:
        self._issue(self.last_number + 1)
        return format_help_reference(self.last_number)

    @event("Issued")
    def _issue(self, number: int) -> None:
        self.last_number = number
