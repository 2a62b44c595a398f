"""Counting the counselor hand-offs (web/help/counselor.py): one stream a day in the district's
store, so every process counts into the same numbers and a restart forgets none."""

from datetime import date, timedelta

from eventsourcing.application import AggregateNotFoundError

from domain.account import Account
from domain.help_handoffs import HandoffDay
from service.access.permissions import require
from service.incidents.application import Steady
from service.store.retrying import retry_on_conflict

TOO_BUSY = "the hand-off count is too busy to take this now"


class HelpHandoffs:
    steady: Steady  # given by the HelpRequests it is part of

    def count_handoff(self, step: str, channel: str) -> None:
        today = self.steady.clock().date()

        def attempt() -> bool:
            day = self._day(today) or HandoffDay.start(today)
            day.count(step, channel)
            self.steady.save(day)
            return True

        retry_on_conflict(attempt, too_busy=TOO_BUSY)

    def handoff_counts(self, days: int = 30) -> dict[tuple[str, str, str], int]:
        """(day, step, channel) -> how many, for the last `days` days up to today."""
        today = self.steady.clock().date()
        counts: dict[tuple[str, str, str], int] = {}
        for back in range(days):
            day = self._day(today - timedelta(days=back))
            if day is not None:
                for key, number in sorted(day.counts.items()):
                    step, channel = key.split("/")
                    counts[(day.day, step, channel)] = number
        return counts

    def handoff_totals(self, account: Account, days: int = 30) -> dict[str, int]:
        """For the desk: over the last `days` days, how often the hand-off was offered (the
        page drawn) and taken by call and by text."""
        require(account, "view_help_requests")
        totals = {"offered": 0, "call": 0, "text": 0}
        for (_, step, channel), number in self.handoff_counts(days).items():
            if step == "offered" and channel == "call":  # each page offers both: count it once
                totals["offered"] += number
            elif step == "taken":
                totals[channel] += number
        return totals

    def _day(self, day: date) -> HandoffDay | None:
        try:
            return self.steady.repository.get(HandoffDay.id_for(day))
        except AggregateNotFoundError:
            return None
