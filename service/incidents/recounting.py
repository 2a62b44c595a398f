"""Counting due dates again after the school calendar changed (service.calendars imports it):
one command per incident, run as every incident command is (service.incidents.execution), so a
moved date is a TaskRescheduled event with the reason and who imported the calendar."""

from datetime import datetime
from typing import Any, Unpack

from domain.due_recount import CALENDAR_CHANGED, recounted_due
from domain.incident import Incident
from domain.people import Actor
from domain.school_days import SchoolClock
from service.incidents.execution import CommandOptions, CommandResult


class DueRecounting:
    """Part of the application (service.incidents.application.Steady)."""

    _execute: Any  # CommandExecution._execute, of the application this is part of
    incident: Any  # IncidentQueries.incident
    school_clock: Any  # IncidentQueries.school_clock
    clock: Any  # the application's clock

    def recount_due_dates(
        self, ref: str, **options: Unpack[CommandOptions]
    ) -> CommandResult | None:
        """Moves the open tasks whose school-day due dates lie ahead to where the calendar now
        in force for the incident's schools puts them; None when nothing moves."""
        # An incident's schools never change: their calendar is read before the writer's turn.
        clock: SchoolClock = self.school_clock(self.incident(ref).schools)
        reason = (
            f"{CALENDAR_CHANGED}: due dates now count school days on {clock.calendar.description}"
        )

        def moves(incident: Incident, now: datetime) -> dict[str, datetime]:
            found = {}
            for task in list(incident.tasks.values()):
                due = recounted_due(
                    task,
                    occurred_at=incident.occurred_at,
                    milestones=incident.milestones,
                    clock=clock,
                    now=now,
                )
                if due is not None:
                    found[task.id] = due
            return found

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            moved = moves(incident, now)
            for task_id, due in moved.items():
                incident.reschedule_task(task_id, due, reason=reason, actor=actor, at=now)
            return {"moved": {task_id: due.isoformat() for task_id, due in moved.items()}}

        if not moves(self.incident(ref), options.get("at") or self.clock()):
            return None  # nothing to move: no command, no receipt
        arguments = {"calendar": clock.calendar.description}
        return self._execute(ref, "recount_due_dates", arguments, change, **options)
