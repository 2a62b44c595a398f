"""The drills part of a process (built by service.bootstrap): the drill log and the drill
report, read from the incidents as the board holds them, with the classes' reports from
whatever class accounting the composition root gives it."""

from typing import Any

from domain.account import Account
from domain.errors import NotFound
from service.access.need_to_know import Sight, Viewer, of_their_schools, sight
from service.access.permissions import Scope
from service.drills.log import DrillLogRow, drill_log, drill_log_csv, may_keep
from service.drills.report import (
    ClassReports,
    NoClassReports,
    StationMoment,
    drill_report,
    no_moment,
)
from service.incidents.application import Steady


class Drills:
    def __init__(
        self,
        steady: Steady,
        class_reports: ClassReports | None = None,
        *,
        accounted_for_at: StationMoment = no_moment,
        last_reunified_at: StationMoment = no_moment,
    ) -> None:
        self.steady = steady
        # Class accounting's and reunification's, given by the composition root.
        self.class_reports: ClassReports = class_reports or NoClassReports()
        self.accounted_for_at = accounted_for_at
        self.last_reunified_at = last_reunified_at

    def log(
        self, account: Account, viewer: Viewer, *, school: str = "", school_year: str = ""
    ) -> list[DrillLogRow]:
        return drill_log(
            account,
            viewer,
            self.steady.incidents(include_closed=True),
            school=school,
            school_year=school_year,
            zone=self.steady.zone,
        )

    def log_as_dicts(self, rows: list[DrillLogRow]) -> list[dict[str, Any]]:
        return [row.as_dict(self.steady.zone) for row in rows]

    def log_csv(self, rows: list[DrillLogRow]) -> str:
        return drill_log_csv(rows, self.steady.zone)

    def report(self, account: Account, viewer: Viewer, ref: str) -> dict[str, Any]:
        """The drill's after-action report, for one who keeps its schools' drill log. A drill
        they may not see, or a real incident, is not found: a real incident has no drill
        report (its after-action report is at /incidents/{ref}/report)."""
        found = may_keep(account)
        incident = self.steady.incident(ref)
        if sight(viewer, incident) != Sight.WHOLE or (
            Scope.ALL not in found and not of_their_schools(viewer, incident)
        ):
            raise NotFound(f"there is no incident {ref}")
        if not incident.drill:
            raise NotFound(
                f"{incident.reference} is a real incident, not a drill: it has no drill report; "
                f"its after-action report is at /incidents/{incident.reference}/report"
            )
        return drill_report(
            incident,
            self.class_reports.reported(incident.reference),
            zone=self.steady.zone,
            accounted_for_at=self.accounted_for_at(incident.reference),
            last_reunified_at=self.last_reunified_at(incident.reference),
        )
