"""The help desk's side: the queue, one request, and the commands on it. Reads take the account
and check its permission (view_help_requests); commands take the actor, as the incident
commands do, and the edge checks work_help_requests before it sends them."""

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.help_categories import CATEGORIES, suggested_playbook
from domain.help_reference import check_help_reference
from domain.help_request import HelpRequest
from domain.people import Actor
from service.access.permissions import can, require
from service.accounts.service import Accounts
from service.help_requests.queue import HelpQueue, due_at
from service.help_requests.views import (
    CaseEvent,
    DeskCase,
    DeskMessage,
    EscalationView,
    QueueItem,
    RoutedNeedView,
)
from service.incidents.application import Steady
from service.incidents.integrity import StreamCheck, verify_stream
from service.store.retrying import retry_on_conflict
from service.store.streams import select_stream

TOO_BUSY = "the store is too busy to record this now; try again"


class HelpDesk:
    steady: Steady  # given by the HelpRequests it is part of
    accounts: Accounts
    help_queue: HelpQueue

    # -- reading ------------------------------------------------------------------------------

    def queue(self, account: Account) -> list[QueueItem]:
        """The open requests, most urgent first."""
        require(account, "view_help_requests")
        return self.help_queue.items(lambda r: not r.closed)

    def closed(self, account: Account) -> list[QueueItem]:
        """The closed requests, most urgent first as the queue is (the desk's record of them)."""
        require(account, "view_help_requests")
        return self.help_queue.items(lambda r: r.closed)

    def case(self, reference: str, account: Account) -> DeskCase:
        require(account, "view_help_requests")
        request = self.request(reference)
        return self.desk_case(request)

    def case_at(self, reference: str, account: Account, at: datetime) -> DeskCase:
        """The request exactly as it stood at `at`, from its events alone (replay)."""
        require(account, "view_help_requests")
        if at.tzinfo is None:
            raise DomainError("give the moment with a time zone, e.g. 2026-12-04T19:30-06:00")
        request_id = self._id_of(reference)
        events = [e for e in self.steady.events.get(request_id) if e.timestamp <= at]
        if not events:
            raise DomainError(
                f"{check_help_reference(reference)} had not come in by {at:%Y-%m-%d %H:%M} UTC"
            )
        state = None
        for event in events:
            state = event.mutate(state)
        assert isinstance(state, HelpRequest)
        return self.desk_case(state, events)

    def verify(self, reference: str, account: Account) -> StreamCheck:
        """Every hash of the request's stream recomputed and every link followed."""
        require(account, "view_help_requests")
        request_id = self._id_of(reference)
        check = verify_stream(
            self.steady, request_id, select_stream(self.steady.recorder, request_id)
        )
        return replace(check, reference=check_help_reference(reference))

    def request(self, reference: str) -> HelpRequest:
        """The request as it is now, by its reference (NotFound for none)."""
        return self.steady.repository.get(self._id_of(reference))

    def desk_case(self, request: HelpRequest, events: list | None = None) -> DeskCase:
        minutes = self.help_queue.target(request)
        ack = request.acknowledged_by
        return DeskCase(
            reference=request.reference,
            route=request.route,
            category=request.category,
            category_name=CATEGORIES[request.category].name,
            life_safety=request.life_safety,
            school=request.school,
            when=request.when,
            words=request.words,
            contact=request.contact,
            language=request.language,
            status=request.status,
            received_at=request.received_at,
            acknowledged_at=request.acknowledged_at,
            acknowledged_by=ack.user if ack else "",
            first_response_at=request.first_response_at,
            target_minutes=minutes,
            due_at=due_at(request.received_at, minutes),
            assigned_to=request.assigned_to,
            messages=[
                DeskMessage(m.who, m.text, m.at, m.by.user, m.asks_details)
                for m in request.messages
            ],
            routes=[
                RoutedNeedView(r.organisation, r.need, r.share_contact, r.at, r.by.user)
                for r in request.routes
            ],
            escalations=[EscalationView(e.step, e.username, e.at) for e in request.escalations],
            incident_ref=request.incident_ref,
            playbook_id=request.playbook_id,
            suggested_playbook=suggested_playbook(request.category),
            person_ref=request.person_ref,
            spam=request.spam,
            outcome=request.outcome,
            closed_at=request.closed_at,
            unread_from_reporter=request.unread_from_reporter,
            events=[
                CaseEvent(e.originator_version, e.NAME, e.timestamp, e.by.user, e.by.role)
                for e in (self.steady.events.get(request.id) if events is None else events)
            ],
        )

    # -- changing -----------------------------------------------------------------------------

    def acknowledge(self, reference: str, actor: Actor) -> None:
        self._change(reference, lambda r: r.acknowledge(actor=actor, at=self.steady.clock()))

    def assign(self, reference: str, username: str, actor: Actor) -> None:
        chosen = self._desk_member(username)
        self._change(reference, lambda r: r.assign(chosen, actor=actor, at=self.steady.clock()))

    def write_to_reporter(
        self, reference: str, text: str, actor: Actor, *, asks_details: bool = False
    ) -> None:
        self._change(
            reference,
            lambda r: r.write_to_reporter(
                text, asks_details=asks_details, actor=actor, at=self.steady.clock()
            ),
        )

    def mark_spam(self, reference: str, actor: Actor, reason: str) -> None:
        self._change(reference, lambda r: r.mark_spam(reason, actor=actor, at=self.steady.clock()))

    def close(self, reference: str, actor: Actor, outcome: str) -> None:
        self._change(reference, lambda r: r.close(outcome, actor=actor, at=self.steady.clock()))

    # -- the parts ----------------------------------------------------------------------------

    def _id_of(self, reference: str) -> UUID:
        checked = check_help_reference(reference)
        found = self.help_queue.id_of(checked)
        if found is None:
            raise NotFound(f"no help request {checked}: check the reference, such as H-0001")
        return found

    def _change(self, reference: str, change: Callable[[HelpRequest], Any]) -> Any:
        """Loads the request, decides the change, saves it; again if another writer saved first."""
        request_id = self._id_of(reference)
        answer: list[Any] = []

        def attempt() -> bool:
            request = self.steady.repository.get(request_id)
            answer[:] = [change(request)]
            self.steady.save(request)
            return True

        retry_on_conflict(attempt, too_busy=TOO_BUSY)
        return answer[0]

    def _desk_member(self, username: str) -> str:
        name = username.strip().lower() if isinstance(username, str) else ""
        if not name:
            raise DomainError("say who works this request, by their username, such as k.okafor")
        try:
            account = self.accounts.account(name)
        except (NotFound, DomainError):
            raise DomainError(
                f"there is no account {name!r} to give the request to: give the username of "
                "someone on the help desk"
            ) from None
        if account.disabled or not can(account.roles, "work_help_requests"):
            raise DomainError(
                f"{name} does not work help requests: give someone with the help-desk or "
                "crisis-lead role"
            )
        return account.username
