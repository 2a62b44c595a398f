"""A check-in of a person's follow-ups, as a value: when it is due, what it found, and how it
is stored in the follow-ups' events (plain values, kept forever)."""

from dataclasses import dataclass
from datetime import datetime

from domain.follow_up_plan import PlannedCheckIn
from domain.people import Actor

OUTCOMES: dict[str, str] = {
    "seen_no_concern": "Seen, no concern",
    "concern_next_step": "Concern, next step",
    "could_not_reach": "Could not reach",
    "declined": "Declined",
}
NEEDS_NOTE = ("concern_next_step", "could_not_reach")  # what was tried, what was seen
NEEDS_NEXT_STEP = ("concern_next_step",)


@dataclass(frozen=True)
class Recorded:
    outcome: str  # a key of OUTCOMES
    note: str
    next_step: str
    at: datetime
    by: Actor


@dataclass(frozen=True)
class CheckIn:
    id: str  # C1, C2, ... within the person's follow-ups on the incident
    label: str
    due: datetime
    milestone: str = ""
    recorded: Recorded | None = None
    cancelled: bool = False  # replaced by a re-plan before it was recorded

    @property
    def is_open(self) -> bool:
        return self.recorded is None and not self.cancelled

    def overdue(self, at: datetime) -> bool:
        """A check-in is overdue once its due moment has passed and nothing is recorded."""
        return self.is_open and self.due < at


def stored(check_ins: list[tuple[str, PlannedCheckIn]]) -> list[dict[str, str]]:
    # Plain values: the stored shape of the events is a contract, kept forever.
    return [
        {"id": i, "label": c.label, "due": c.due.isoformat(), "milestone": c.milestone}
        for i, c in check_ins
    ]


def loaded(stored: list[dict[str, str]]) -> list[CheckIn]:
    return [
        CheckIn(s["id"], s["label"], datetime.fromisoformat(s["due"]), s["milestone"])
        for s in stored
    ]


def in_due_order(check_in: CheckIn) -> tuple[datetime, int]:
    return check_in.due, _number(check_in)


def in_number_order(check_in: CheckIn) -> int:
    return _number(check_in)


def _number(check_in: CheckIn) -> int:
    return int(check_in.id[1:])
