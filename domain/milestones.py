"""Milestones: moments a crisis lead records on an incident (a student discharged from
hospital, say) that some steps count from. A task waiting for one has no due date until it is
recorded; recording it again, with a reason, moves the due dates of the tasks not done yet."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain import moments
from domain.errors import DomainError
from domain.incident_tasks import AppliedPlaybook
from domain.people import Actor
from domain.recording import ChainedEvent, RecordsInChain
from domain.task import Task
from domain.text import check_text


@dataclass(frozen=True)
class RecordedMilestone:
    id: str
    title: str
    moment: datetime  # when it happened, as the lead recorded it
    recorded_at: datetime
    by: Actor
    reason: str = ""  # why it was recorded again, if it was


class IncidentMilestones(RecordsInChain):
    """Mixed into Incident, whose MilestoneRecorded event these commands record."""

    reference: str
    tasks: dict[str, Task]
    playbooks: list[AppliedPlaybook]
    milestones: dict[str, RecordedMilestone]
    MilestoneRecorded: type[ChainedEvent]
    _require_open: Callable[[str], None]

    def milestone_titles(self) -> dict[str, str]:
        """The milestones the applied playbooks declare, id -> title (the first one's title)."""
        titles: dict[str, str] = {}
        for applied in self.playbooks:
            for milestone_id, title in applied.milestones.items():
                titles.setdefault(milestone_id, title)
        return titles

    def waiting_for(self, milestone_id: str) -> list[Task]:
        return [t for t in self.tasks.values() if t.waits_for == milestone_id]

    def record_milestone(
        self,
        milestone_id: str,
        moment: datetime,
        *,
        reason: str = "",
        due: Callable[[Task, datetime], datetime],
        actor: Actor,
        at: datetime,
    ) -> list[str]:
        """Records when the milestone happened; `due` gives each waiting task its due date
        from that moment (the service knows the district's time and the schools' hours).
        Returns the ids of the tasks rescheduled."""
        self._require_open("record a milestone")
        titles = self.milestone_titles()
        if milestone_id not in titles:
            known = ", ".join(f"{m} ({t})" for m, t in titles.items()) or "none"
            raise DomainError(
                f"{self.reference} has no milestone {milestone_id!r}: the playbooks applied "
                f"declare {known}"
            )
        moments.check_moment("moment", moment)
        if moment > at + moments.CLOCK_TOLERANCE:
            raise DomainError(
                f"the milestone's moment ({moment.isoformat()}) is in the future; record it "
                "once it has happened"
            )
        reason = check_text("reason", reason, required=False, multiline=True)
        before = self.milestones.get(milestone_id)
        if before is not None and not reason:
            raise DomainError(
                f"{titles[milestone_id]} was already recorded for {before.moment.isoformat()}; "
                "say why it is recorded again (the tasks still open are rescheduled)"
            )
        rescheduled = {
            task.id: moments.check_moment("due_at", due(task, moment))
            for task in self.waiting_for(milestone_id)
            if task.is_open
        }
        self._record(
            self.MilestoneRecorded,
            actor,
            at,
            milestone_id=milestone_id,
            title=titles[milestone_id],
            moment=moment,
            reason=reason,
            due=rescheduled,
        )
        return list(rescheduled)
