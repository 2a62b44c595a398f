"""What a help request becomes: an incident (opened through the incident commands, with the
playbook for its kind applied and a note holding the report's words and its H- reference), or a
needs case for a family (a record in the people part). Each is recorded on the request once.

The incident's commands carry idempotency keys made from the request, so a conversion that
stopped half-way (the incident opened, the request not yet marked) opens no second incident when
the same person tries again; within a process, conversions take turns."""

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from domain.errors import DomainError, NotFound
from domain.help_categories import CATEGORIES, suggested_playbook
from domain.help_request import HelpRequest
from domain.help_steps import STEADY
from domain.identity import Guardian, Identity
from domain.people import Actor
from domain.text import MAX_TEXT
from service.accounts.service import Accounts
from service.help_requests.queue import HelpQueue
from service.incidents.application import Steady
from service.people.service import People


class HelpConversion:
    steady: Steady  # given by the HelpRequests it is part of
    accounts: Accounts
    people: People
    help_queue: HelpQueue
    _converting: threading.Lock
    request: Callable[[str], HelpRequest]
    _change: Callable[[str, Callable[[HelpRequest], Any]], Any]

    def suggested_playbook(self, category: str) -> str | None:
        return suggested_playbook(category)

    def convert_to_incident(
        self,
        reference: str,
        actor: Actor,
        *,
        title: str = "",
        kind: str = "",
        school: str = "",
        playbook_id: str | None = None,
        severity: int | None = None,
    ) -> str:
        """Opens the incident the report calls for; its reference. Unless given: the kind and
        playbook its category suggests (`playbook_id=""` applies none), the request's school,
        severity 1 when someone is in danger (2 otherwise), a title from the category."""
        with self._converting:
            request = self.request(reference)
            request.check_convertible()  # refuses before anything is opened
            category = CATEGORIES[request.category]
            chosen_kind = kind or category.incident_kind
            if not chosen_kind:
                raise DomainError(
                    f"say which kind of incident {request.reference} is: {category.name.lower()} "
                    "has no kind of its own, so the lead chooses (such as threat or other)"
                )
            playbook = category.playbook_id if playbook_id is None else playbook_id
            if playbook:
                self.steady.playbooks.get(playbook)  # an unknown playbook refuses before opening
            key = f"help-conversion/{request.id}"
            opened = self.steady.open_incident(
                title=title.strip() or f"{category.name} ({request.reference})",
                kind=chosen_kind,
                severity=severity or (1 if request.life_safety else 2),
                schools=[self._school_name(school or request.school, request.reference)],
                summary=f"From help request {request.reference}.",
                actor=actor,
                idempotency_key=f"{key}/open",
            )
            incident_ref = opened.reference
            if playbook:
                self.steady.apply_playbook(
                    incident_ref, playbook, actor=actor, idempotency_key=f"{key}/playbook"
                )
            self.steady.add_note(
                incident_ref, report_note(request), actor=actor, idempotency_key=f"{key}/note"
            )
            self._change(
                request.reference,
                lambda r: r.converted_to_incident(
                    incident_ref, playbook, actor=actor, at=self.steady.clock()
                ),
            )
            return incident_ref

    def close_converted(self, at: datetime) -> int:
        """Closes, as handled by the crisis team, each open request whose incident has closed:
        the reporter's page then says it is resolved, and the desk's queue lets it go. Run in
        every round of the outbox; returns how many it closed."""
        converted = self.help_queue.requests(lambda r: bool(r.incident_ref) and not r.closed)
        closed = 0
        for reference, _ in converted:
            request = self.request(reference)
            try:
                incident_closed = self.steady.incident(request.incident_ref).closed
            except NotFound:
                continue
            if not incident_closed:
                continue
            try:
                self._change(reference, lambda r: r.close("incident", actor=STEADY, at=at))
            except DomainError:  # the desk closed it meanwhile
                continue
            closed += 1
        return closed

    def open_needs_case(self, reference: str, actor: Actor, *, school: str = "") -> str:
        """Records the family the request is about in the people part; their pseudonym. No
        identity unless the reporter left a way to contact them."""
        with self._converting:
            request = self.request(reference)
            request.check_needs_case()
            identity = None
            if request.contact:
                identity = Identity(
                    name=f"Reporter of help request {request.reference}",
                    guardians=(Guardian("the reporter", request.contact, "reporter"),),
                    language=request.language,
                )
            person_ref = self.people.record_family(
                school=self._school_name(school or request.school, request.reference),
                help_reference=request.reference,
                identity=identity,
                actor=actor,
            )
            self._change(
                request.reference,
                lambda r: r.opened_needs_case(person_ref, actor=actor, at=self.steady.clock()),
            )
            return person_ref

    def _school_name(self, school: str, reference: str) -> str:
        """The school's name, from its id or its name as given."""
        given = school.strip()
        if not given:
            raise DomainError(
                f"{reference} names no school: say which school it is about, by its id or name"
            )
        for organisation in self.accounts.organisations():
            if organisation.kind == "school" and given.casefold() in (
                organisation.slug,
                organisation.name.casefold(),
            ):
                return organisation.name
        try:
            self.accounts.school(given)
        except (NotFound, DomainError) as error:
            raise DomainError(f"{given!r} is not a school of the district: {error}") from None
        return given


def report_note(request: HelpRequest) -> str:
    """The note the incident gets: the report's reference, what it said and what the reporter
    wrote after (as much as a note holds). Never the reporter's contact: that stays with the
    desk."""
    danger = "; someone was in danger" if request.life_safety else ""
    head = (
        f"From help request {request.reference} "
        f"({CATEGORIES[request.category].name.lower()}{danger}), received "
        f"{request.received_at:%Y-%m-%d %H:%M} UTC."
    )
    parts = [head]
    if request.when:
        parts.append(f"When: {request.when}")
    parts.append(f"The report:\n{request.words}")
    later = [m.text for m in request.messages if m.who == "reporter"]
    if later:
        parts.append("The reporter wrote after:\n" + "\n---\n".join(later))
    note = "\n\n".join(parts)
    if len(note) > MAX_TEXT - 1:
        more = f"\n\n(cut: the rest is on {request.reference})"
        note = note[: MAX_TEXT - 1 - len(more)] + more
    return note
