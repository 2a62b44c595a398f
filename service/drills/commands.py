"""The after-action review's commands on an incident, drill or real: when everyone was
accounted for, when reunification was completed (each the first time only), how many took
part, and what to change. Part of the application (service.incidents.application.Steady), run
as every incident command is (service.incidents.execution)."""

from datetime import datetime
from typing import Any, Unpack

from domain.incident import Incident
from domain.people import Actor
from service.incidents.execution import CommandOptions, CommandResult


class DrillCommands:
    """The moments a drill is timed by, and the review's notes."""

    _execute: Any  # CommandExecution._execute, of the application this is part of

    def record_everyone_accounted_for(
        self, ref: str, *, moment: datetime | None = None, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        """`moment`: when everyone was accounted for (now when not given). Said again, nothing
        changes and the answer says when it was first recorded."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            recorded = incident.record_everyone_accounted_for(moment or now, actor=actor, at=now)
            first = incident.everyone_accounted_for
            assert first is not None
            return {"recorded": recorded, "moment": first.moment.isoformat()}

        arguments = {"moment": moment}
        return self._execute(ref, "record_everyone_accounted_for", arguments, change, **options)

    def record_reunification_completed(
        self, ref: str, *, moment: datetime | None = None, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        """`moment`: when the last student was reunified (now when not given)."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            recorded = incident.record_reunification_completed(moment or now, actor=actor, at=now)
            first = incident.reunification_completed
            assert first is not None
            return {"recorded": recorded, "moment": first.moment.isoformat()}

        arguments = {"moment": moment}
        return self._execute(ref, "record_reunification_completed", arguments, change, **options)

    def record_drill_participants(
        self, ref: str, count: int, *, note: str = "", **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.record_participants(count, note, actor=actor, at=now)
            return {"participants": count}

        arguments = {"count": count, "note": note}
        return self._execute(ref, "record_drill_participants", arguments, change, **options)

    def record_change_to_make(
        self, ref: str, text: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            return {"change_id": incident.record_change_to_make(text, actor=actor, at=now)}

        return self._execute(ref, "record_change_to_make", {"text": text}, change, **options)
