"""The reporter's side: send a request, come back with the case code and passphrase to read the
school's replies, write more. No account, no address kept: `client` (the remote address) only
makes the limits' keyed hash of the day (service/help_requests/limits.py), and goes no further.

A wrong code and a wrong passphrase are refused alike (CaseNotOpened), in about the same time
(a code that opens nothing is still checked against a passphrase hash), and count alike against
the sender and against the code."""

from datetime import datetime
from uuid import UUID

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventsourcing.application import AggregateNotFoundError

from domain.errors import DomainError, NotFound
from domain.help_reference import HelpSequence
from domain.help_reporter import check_passphrase, new_case_code, read_case_code, spam_signs
from domain.help_request import RESOLVED, STEADY, HelpRequest, check_received
from domain.help_steps import OUTCOMES
from service.accounts.service import Accounts
from service.help_requests.limits import HelpLimits
from service.help_requests.refusals import CaseNotOpened
from service.help_requests.views import NewCase, ReporterMessage, ReporterView
from service.incidents.application import Steady
from service.store.retrying import retry_on_conflict

TOO_BUSY = "the help desk's record is too busy to take this now; try again in a moment"
SPAM_CHECK = "Steady's check at receipt: {signs}"


class HelpReporting:
    steady: Steady  # given by the HelpRequests it is part of
    accounts: Accounts
    hasher: PasswordHasher
    limits: HelpLimits
    _decoy_hash: str

    def submit(
        self,
        *,
        route: str,
        category: str,
        school: str,
        when: str,
        words: str,
        contact: str,
        life_safety: bool,
        language: str,
        passphrase: str,
        client: str | None,
        spam: bool = False,
    ) -> NewCase:
        """Receives a report or an ask. `spam`: the form's hidden field (which no person sees)
        was filled in, so a robot sent it; it is received, and marked spam at once."""
        chosen = check_passphrase(passphrase)
        sent = {
            "route": route,
            "category": category,
            "school": self._school(school),
            "when": when,
            "words": words,
            "contact": contact,
            "life_safety": life_safety,
            "language": language,
        }
        check_received(reference="H-0000", passphrase_hash="-", **sent)  # refuses before hashing
        sender = self.limits.sender(client)
        self.limits.check_sending(sender)
        passphrase_hash = self.hasher.hash(chosen)
        now = self.steady.clock()

        def attempt() -> NewCase:
            sequence = self._sequence()
            reference = sequence.next_reference()
            code = new_case_code()
            request = HelpRequest.receive(
                id=self.case_id(code),
                at=now,
                reference=reference,
                passphrase_hash=passphrase_hash,
                **sent,
            )
            signs = "the form's hidden field was filled in" if spam else spam_signs(request.words)
            if signs:
                request.mark_spam(SPAM_CHECK.format(signs=signs), actor=STEADY, at=now)
            self.steady.save(sequence, request)
            return NewCase(reference=reference, case_code=code)

        made = retry_on_conflict(attempt, too_busy=TOO_BUSY)
        self.limits.sent(sender)
        return made

    def open_case(self, case_code: str, passphrase: str, *, client: str | None) -> ReporterView:
        return self.reporter_view(self._opened(case_code, passphrase, client))

    def reporter_writes(
        self, case_code: str, passphrase: str, text: str, *, client: str | None
    ) -> ReporterView:
        request = self._opened(case_code, passphrase, client)
        if self._incident_closed(request.incident_ref):
            raise DomainError(RESOLVED)

        def attempt() -> HelpRequest:
            latest = self.steady.repository.get(request.id)
            latest.reporter_writes(text, at=self.steady.clock())
            self.steady.save(latest)
            return latest

        return self.reporter_view(retry_on_conflict(attempt, too_busy=TOO_BUSY))

    # -- what the reporter sees ---------------------------------------------------------------

    def reporter_view(self, request: HelpRequest) -> ReporterView:
        resolved = request.closed or self._incident_closed(request.incident_ref)
        if resolved:
            status = "resolved"
        elif request.acknowledged_at or request.first_response_at:
            status = "in progress"
        else:
            status = "received"
        messages = [ReporterMessage("you", request.words, request.received_at)]
        messages += [
            ReporterMessage(
                "you" if m.who == "reporter" else "school", m.text, m.at, m.asks_details
            )
            for m in request.messages
        ]
        outcome = ""
        if request.closed:
            outcome = OUTCOMES[request.outcome]
        elif resolved:
            outcome = OUTCOMES["incident"]
        return ReporterView(
            reference=request.reference,
            route=request.route,
            category=request.category,
            received_at=request.received_at,
            status=status,
            messages=messages,
            outcome=outcome,
            language=request.language,
        )

    # -- the parts ----------------------------------------------------------------------------

    def case_id(self, code: str) -> UUID:
        """The stream's id: a keyed digest of the code, so the store's ids reveal no code."""
        return self.steady.private_id("help-case", code)

    def _opened(self, case_code: str, passphrase: str, client: str | None) -> HelpRequest:
        """The request this code and passphrase open, or CaseNotOpened, the same for both."""
        sender = self.limits.sender(client)
        code = read_case_code(case_code)
        code_key = f"code:{self.case_id(code).hex}" if code else "code:unreadable"
        self.limits.check_guessing(sender, code_key)
        request = self._request_of(code) if code else None
        stored = request.passphrase_hash if request is not None else self._decoy_hash
        if not isinstance(passphrase, str) or not self._verified(stored, passphrase.strip()):
            request = None
        if request is None:
            self.limits.failed(sender, code_key)
            raise CaseNotOpened()
        return request

    def _verified(self, stored: str, passphrase: str) -> bool:
        try:
            return self.hasher.verify(stored, passphrase)
        except (VerificationError, InvalidHashError):
            return False

    def _request_of(self, code: str) -> HelpRequest | None:
        try:
            found = self.steady.repository.get(self.case_id(code))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, HelpRequest) else None

    def _sequence(self) -> HelpSequence:
        try:
            return self.steady.repository.get(HelpSequence.id_for())
        except AggregateNotFoundError:
            return HelpSequence.start()

    def _school(self, school: object) -> str:
        """A school of the district by its id, or "" for none given."""
        slug = school.strip().lower() if isinstance(school, str) else ""
        if not slug:
            return ""
        try:
            return self.accounts.school(slug).slug
        except (NotFound, DomainError):
            raise DomainError(
                f"there is no school {slug!r} in this district: choose one from the list, or "
                "leave it out"
            ) from None

    def _incident_closed(self, incident_ref: str) -> bool:
        if not incident_ref:
            return False
        try:
            return self.steady.incident(incident_ref).closed
        except NotFound:
            return False

    def _now(self, at: datetime | None = None) -> datetime:
        return at or self.steady.clock()
