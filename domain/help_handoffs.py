"""The counselor hand-off counts of one day: that the hand-off to the crisis line was offered (the
page was drawn) or taken (a button pressed), by channel. Only numbers: never who, never from
where, so nothing here can lead back to a visitor."""

from datetime import date
from uuid import UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import DomainError
from domain.ids import STEADY_NAMESPACE

STEPS = ("offered", "taken")
CHANNELS = ("call", "text")


class HandoffDay(Aggregate):
    @staticmethod
    def id_for(day: date) -> UUID:
        return uuid5(STEADY_NAMESPACE, f"counselor-handoffs/{day.isoformat()}")

    @classmethod
    def start(cls, day: date) -> "HandoffDay":
        return cls._create(cls.Started, id=cls.id_for(day), day=day.isoformat())

    class Started(Aggregate.Created):
        day: str

    def __init__(self, day: str) -> None:
        self.day = day
        self.counts: dict[str, int] = {}  # "offered/call" -> how many

    def count(self, step: str, channel: str) -> None:
        if step not in STEPS or channel not in CHANNELS:
            raise DomainError(
                f"a hand-off is {' or '.join(STEPS)} by {' or '.join(CHANNELS)}, not "
                f"{step!r} by {channel!r}"
            )
        self._counted(step, channel)

    @event("Counted")
    def _counted(self, step: str, channel: str) -> None:
        key = f"{step}/{channel}"
        self.counts[key] = self.counts.get(key, 0) + 1
