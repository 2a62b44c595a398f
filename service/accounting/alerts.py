"""Telling every teacher with a class in session, and every other staff member with an account,
that an incident asks them to account for their students and themselves, with the link to their
class list: one email each through the outbox, as soon as a round sees the incident (the outbox
runs a round every few seconds, at any hour).

Each email's key is the incident's and the account's ids, so a teacher is told once whatever
the rounds or processes; a round remembers the incidents it has told about, so it does not ask
the outbox again. Only incidents opened in the last ALERT_WINDOW are told about: an incident
opened while the outbox was down is still told when it returns, an old one is not. No student's
name is in an email: the class's title and room, and the link. Only those who may see the
incident whole are told of it."""

import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from uuid import UUID

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.incident import Incident
from domain.kinds import ACCOUNTING_KINDS, KINDS
from service.access.need_to_know import Sight, sight
from service.accounting.class_lists import Plan, PlannedClass
from service.accounting.service import Accounting
from service.outbox.store import Message

KIND = "accounting_alert"
ALERT_WINDOW = timedelta(hours=2)


class ClassListAlerts:
    def __init__(self, accounting: Accounting, public_url: str) -> None:
        self.accounting = accounting
        self.public_url = public_url.rstrip("/")
        self._told: set[UUID] = set()
        self._lock = threading.Lock()

    def due(self, at: datetime, add: Callable[[Sequence[Message]], int]) -> int:
        """Adds (through `add`, the outbox's) the emails of every accounting incident opened in
        the window and not yet told about; returns how many were new."""
        added = 0
        for incident in self.accounting.steady.board.incidents():
            if (
                incident.kind not in ACCOUNTING_KINDS
                or incident.closed
                or at - incident.created_on > ALERT_WINDOW
            ):
                continue
            with self._lock:
                if incident.id in self._told:
                    continue
            plan = self.accounting.lists.plan(incident)
            added += add(self.messages(incident, plan))
            with self._lock:
                self._told.add(incident.id)
        return added

    def messages(self, incident: Incident, plan: Plan) -> list[Message]:
        messages = []
        teachers: dict[str, list[PlannedClass]] = {}
        for planned in plan.classes.values():
            for username in planned.teachers:
                teachers.setdefault(username, []).append(planned)
        staff = {s.account for s in plan.staff.values() if s.account}
        for username in sorted(teachers.keys() | staff):
            account = self._reachable(username)
            if account is None or not self._sees(account, incident):
                continue
            classes = sorted(teachers.get(username, []), key=lambda c: c.title)
            subject, body = self._text(incident, classes)
            messages.append(
                Message(
                    key=f"accounting-alert/{incident.id}/{account.id}",
                    kind=KIND,
                    to=account.email,
                    subject=subject,
                    body=body,
                    expires_at=incident.created_on + ALERT_WINDOW,
                )
            )
        return messages

    def _reachable(self, username: str) -> Account | None:
        try:
            account = self.accounting.accounts.account(username)
        except (NotFound, DomainError):
            return None
        return None if account.disabled or not account.email else account

    def _sees(self, account: Account, incident: Incident) -> bool:
        """Only those the need-to-know rule lets see the incident are told of it (a lockdown a
        lead marked confidential reaches its case team alone), as its pages would answer."""
        viewer = self.accounting.school_names.viewer(account)
        return sight(viewer, incident) == Sight.WHOLE

    def _text(self, incident: Incident, classes: list[PlannedClass]) -> tuple[str, str]:
        kind = KINDS[incident.kind].split(" (")[0]
        schools = ", ".join(incident.schools)
        link = f"{self.public_url}/incidents/{incident.reference}/accounting/mine"
        drill = "DRILL: " if incident.drill else ""
        if classes:
            subject = f"{drill}{kind} at {schools}: account for your class now"
            lines = [
                *(["DRILL: this is a drill, not a real incident.", ""] if incident.drill else []),
                f"{incident.reference}: {incident.title}",
                "",
                "Account for the students in your care: mark each one accounted for, missing, "
                "injured, absent or with another adult, add any extra students with you, and say "
                "where you are if you moved.",
                "",
                *(f"- {c.title} ({c.room})" if c.room else f"- {c.title}" for c in classes),
                "",
                f"Your class list: {link}",
                "",
                "Then account for yourself on the same page.",
            ]
        else:
            subject = f"{drill}{kind} at {schools}: account for yourself now"
            lines = [
                *(["DRILL: this is a drill, not a real incident.", ""] if incident.drill else []),
                f"{incident.reference}: {incident.title}",
                "",
                "Say whether you are safe, injured or off site, and where you are:",
                link,
            ]
        return subject, "\n".join(lines) + "\n"
