"""Routing a need to a partner organisation, and what that partner then sees: the requests
routed to its own organisation, and of each only the need routed, the category, the school and
when it came in (the reporter's contact only when the desk shared it). Never what the reporter
wrote, nor the messages: need-to-know, as a partner's view of an incident is."""

from collections.abc import Callable
from typing import Any

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.help_categories import CATEGORIES
from domain.help_request import HelpRequest
from domain.people import Actor
from service.access.permissions import require
from service.accounts.service import Accounts
from service.help_requests.queue import HelpQueue
from service.help_requests.views import RoutedCase
from service.incidents.application import Steady


class HelpRouting:
    steady: Steady  # given by the HelpRequests it is part of
    accounts: Accounts
    help_queue: HelpQueue
    _change: Callable[[str, Callable[[HelpRequest], Any]], Any]
    request: Callable[[str], HelpRequest]

    def route_to(
        self,
        reference: str,
        organisation: str,
        need: str,
        actor: Actor,
        *,
        share_contact: bool = False,
    ) -> None:
        slug = self._partner(organisation)
        self._change(
            reference,
            lambda r: r.route_to(
                slug, need, share_contact=share_contact, actor=actor, at=self.steady.clock()
            ),
        )

    def routed_cases(self, account: Account) -> list[RoutedCase]:
        """The requests routed to the account's organisation, the newest routing first."""
        require(account, "view_routed_help")
        mine = account.organisation
        found = self.help_queue.requests(lambda r: bool(r.routed_to(mine)))
        cases = [self._routed(self.steady.repository.get(i), mine) for _, i in found]
        return sorted(cases, key=lambda c: c.routed_at, reverse=True)

    def routed_case(self, reference: str, account: Account) -> RoutedCase:
        """One request as the account's organisation sees it; NotFound unless it was routed to
        them (the same answer as for no request at all, so a partner learns nothing of others)."""
        require(account, "view_routed_help")
        try:
            request = self.request(reference)
        except NotFound:
            request = None
        if request is None or not request.routed_to(account.organisation):
            raise NotFound(
                f"no help request {reference} was routed to {account.organisation}: check the "
                "reference on your list of routed requests"
            )
        return self._routed(request, account.organisation)

    def _routed(self, request: HelpRequest, organisation: str) -> RoutedCase:
        [routed] = request.routed_to(organisation)
        return RoutedCase(
            reference=request.reference,
            category=request.category,
            category_name=CATEGORIES[request.category].name,
            school=request.school,
            need=routed.need,
            received_at=request.received_at,
            routed_at=routed.at,
            contact=request.contact if routed.share_contact else "",
            status="closed" if request.closed else "open",
        )

    def _partner(self, organisation: str) -> str:
        slug = organisation.strip().lower() if isinstance(organisation, str) else ""
        if not slug:
            raise DomainError("say which partner organisation takes the need, by its id")
        try:
            found = self.accounts.organisation(slug)
        except (NotFound, DomainError):
            found = None
        if found is None or found.kind != "partner":
            partners = [o.slug for o in self.accounts.organisations() if o.kind == "partner"]
            raise DomainError(
                f"{slug!r} is not a partner organisation of the district: give one of "
                f"{', '.join(partners) or '(none yet: an admin adds them)'}"
            )
        return found.slug
