"""Human references (INC-2026-0007): unique and sequential per year."""

from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.ids import STEADY_NAMESPACE


class ReferenceSequence(Aggregate):
    """One per year. Issuing a number and opening the incident are saved together, so two
    writers who draw the same number conflict and one of them draws again."""

    @staticmethod
    def id_for(year: int) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"reference-sequence/{year}")

    @classmethod
    def start(cls, year: int) -> "ReferenceSequence":
        return cls._create(cls.Started, id=cls.id_for(year), year=year)

    class Started(Aggregate.Created):
        year: int

    def __init__(self, year: int) -> None:
        self.year = year
        self.last_number = 0

    def next_reference(self) -> str:
        self._issue(self.last_number + 1)
        return format_reference(self.year, self.last_number)

    @event("Issued")
    def _issue(self, number: int) -> None:
        self.last_number = number


def format_reference(year: int, number: int) -> str:
    return f"INC-{year}-{number:04d}"
