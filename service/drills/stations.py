"""What class accounting saw, as the drill report reads it: each class's first report (or that it
never reported) and when everyone was first accounted for. An incident of a kind no one accounts
for (a threat drill, say) has no class reports and no such moment."""

from datetime import datetime

from domain.errors import NotFound
from service.accounting.service import Accounting
from service.drills.report import ClassReport


class AccountingMoments:
    def __init__(self, accounting: Accounting) -> None:
        self.accounting = accounting

    def reported(self, incident_ref: str) -> list[ClassReport]:
        try:
            classes = self.accounting.classes_first_reported(incident_ref)
        except NotFound:
            return []
        return [ClassReport(title, first) for _, title, first in classes]

    def accounted_for_at(self, incident_ref: str) -> datetime | None:
        try:
            return self.accounting.everyone_accounted_for_at(incident_ref)
        except NotFound:
            return None
