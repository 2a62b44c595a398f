"""The need-to-know commands: marking an incident confidential (and back), and who is on its
case team. Part of the application (service.incidents.application.Steady), run as every
incident command is (service.incidents.execution)."""

from datetime import datetime
from typing import Any, Unpack

from domain.incident import Incident
from domain.people import Actor
from service.incidents.execution import CommandOptions, CommandResult


class NeedToKnowCommands:
    """Who may see a confidential case is the crisis lead's decision, recorded as events."""

    _execute: Any  # CommandExecution._execute, of the application this is part of

    def mark_confidential(
        self, ref: str, *, reason: str = "", **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.mark_confidential(reason=reason, actor=actor, at=now)
            return {"confidential": True}

        return self._execute(ref, "mark_confidential", {"reason": reason}, change, **options)

    def unmark_confidential(
        self, ref: str, *, reason: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.unmark_confidential(reason=reason, actor=actor, at=now)
            return {"confidential": incident.confidential}

        return self._execute(ref, "unmark_confidential", {"reason": reason}, change, **options)

    def add_to_case_team(
        self, ref: str, username: str, **options: Unpack[CommandOptions]
    ) -> CommandResult:
        """Adds a person to the case team; the caller has checked that the account exists and
        may join one (the accounts live in another application)."""

        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.add_to_case_team(username, actor=actor, at=now)
            return {"case_team": list(incident.case_team)}

        return self._execute(ref, "add_to_case_team", {"username": username}, change, **options)

    def remove_from_case_team(
        self, ref: str, username: str, *, reason: str = "", **options: Unpack[CommandOptions]
    ) -> CommandResult:
        def change(incident: Incident, now: datetime, actor: Actor) -> dict[str, Any]:
            incident.remove_from_case_team(username, reason=reason, actor=actor, at=now)
            return {"case_team": list(incident.case_team)}

        arguments = {"username": username, "reason": reason}
        return self._execute(ref, "remove_from_case_team", arguments, change, **options)
