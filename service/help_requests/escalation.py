"""Escalating a life-safety request no one has acknowledged: 5 minutes after it came in the first
person on the on-call list (STEADY_HELP_ON_CALL) is emailed, 5 minutes later the next, and so on
down the list; then everyone on it at once, once. At any hour: this runs in every round of the
outbox (service/outbox/reminders.py), not on school days.

Each step is an email in the outbox and an Escalated event on the request. The email goes in
first, under a key naming the request and the step, so a round that stops between the two adds
no second email when the next round takes the step again. The email says that someone may be in
danger, the category, the school and the reference, never what the reporter wrote."""

import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.help_categories import CATEGORIES
from domain.help_request import HelpRequest
from service.accounts.service import Accounts
from service.help_requests.queue import HelpQueue
from service.incidents.application import Steady
from service.outbox.store import Message

log = logging.getLogger(__name__)
KIND = "help_escalation"
EVERYONE = "on-call"  # the last step's username: everyone on the list at once


class HelpEscalation:
    steady: Steady  # given by the HelpRequests it is part of
    accounts: Accounts
    help_queue: HelpQueue
    on_call: Sequence[str]
    public_url: str
    _change: Callable[[str, Callable[[HelpRequest], Any]], Any]

    def escalations_due(self, at: datetime) -> list[tuple[HelpRequest, int, list[Account]]]:
        """(request, step, whom to tell) for each life-safety request whose next step is due."""
        waiting = self.help_queue.requests(
            lambda r: r.life_safety and not r.closed and r.acknowledged_at is None
        )
        due = []
        for _, request_id in waiting:
            request = self.steady.repository.get(request_id)
            step = len(request.escalations) + 1
            minutes = self.help_queue.target(request) * step
            if at < request.received_at + timedelta(minutes=minutes):
                continue
            told = self._whom(step)
            if told is not None:
                due.append((request, step, told))
        return due

    def escalate_due(self, at: datetime, add: Callable[[Sequence[Message]], int]) -> int:
        """Takes every step due: adds its emails (through `add`, the outbox's) and records it.
        Returns how many steps were taken."""
        taken = 0
        for request, step, told in self.escalations_due(at):
            add([self._email(request, step, account, at) for account in told if account.email])
            who = told[0].username if len(told) == 1 else EVERYONE
            try:
                self._change(request.reference, lambda r, s=step, w=who: r.escalated(s, w, at=at))
            except DomainError:  # acknowledged or already escalated meanwhile: nothing to do
                continue
            taken += 1
        return taken

    def _whom(self, step: int) -> list[Account] | None:
        """Step n tells the n-th person on the list who can be told (enabled, with an email);
        the step after the last tells them all. None: the list is done (or empty)."""
        reachable = [a for a in (self._account(n) for n in self.on_call) if a is not None]
        if not reachable:
            if step == 1:
                log.warning("a life-safety help request waits and STEADY_HELP_ON_CALL names no "
                            "one who can be emailed")  # fmt: skip
            return None
        if step <= len(reachable):
            return [reachable[step - 1]]
        if step == len(reachable) + 1 and len(reachable) > 1:
            return reachable
        return None

    def _account(self, username: str) -> Account | None:
        try:
            account = self.accounts.account(username)
        except (NotFound, DomainError):
            return None
        return None if account.disabled or not account.email else account

    def _email(self, request: HelpRequest, step: int, account: Account, at: datetime) -> Message:
        category = CATEGORIES[request.category].name.lower()
        school = request.school or "no school named"
        waited = int((at - request.received_at).total_seconds() // 60)
        return Message(
            key=f"help-escalation/{request.id}/{step}/{account.id}",
            kind=KIND,
            to=account.email,
            subject=f"Someone may be in danger: help request {request.reference} is waiting",
            body=(
                f"Help request {request.reference} ({category}, {school}) says someone is in "
                f"danger right now. No one on the help desk has acknowledged it in {waited} "
                f"minutes.\n\nOpen it and acknowledge it: "
                f"{self.public_url}/help-desk/{request.reference}\n\n"
                "If someone is in danger now, call 911.\n"
            ),
        )
