"""Each person's own account page (/account): where Steady emails them, and their private
calendar feed (made, shown once, revoked). The same over JSON under /api/v1/me."""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, post, put
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import Account
from domain.email_address import EMAIL_PATTERN, MAX_EMAIL
from domain.errors import DomainError
from service.accounts.service import Accounts, account_view
from service.calendar_feed.feeds import CalendarFeeds
from web import api_fields
from web.accounts import commands as commands
from web.accounts.api import actor_of
from web.accounts.forms import VISIT, Form, Visit, back_with, refusal, take_flash, text
from web.accounts.my_tokens import owner
from web.errors import COMMAND_ERRORS, BadInput
from web.rendering import context, format_time, page, page_route

MY_ACCOUNT = "/account"
# The document's pattern for an address, or nothing (no address): the domain's, anchored whole.
EMAIL_OR_NOTHING = f"^(?:|{EMAIL_PATTERN.pattern[1:-1]})$"


@dataclass
class EmailBody:
    # Empty: no address (nothing is emailed).
    email: Annotated[
        str,
        api_fields.field(api_fields.matching(EMAIL_OR_NOTHING, most=MAX_EMAIL)),
    ] = ""


def feed_url(request: Request, path: str) -> str:
    """The whole address a calendar application subscribes to."""
    return f"{str(request.base_url).rstrip('/')}{path}"


def my_account_context(visit: Visit, **values: Any) -> dict[str, Any]:
    account = owner(visit.signed_in_as)
    feeds: CalendarFeeds = visit.request.app.state.calendar_feeds
    feed = feeds.current(account.username)
    made = feed.made_at if feed is not None and feed.current else None
    return context(
        visit.request,
        "Your account",
        flash=take_flash(visit.request),
        error=values.pop("error", None),
        entered=values.pop("entered", {}),
        account={"username": account.username, "href": MY_ACCOUNT, "email": account.email},
        feed_made=format_time(made, visit.zone, visit.steady.clock()) if made else None,
        max_email=MAX_EMAIL,
        **values,
    )


class MyAccountApi(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @put(
        "/email",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Set where Steady emails you (empty: nowhere)",
        responses=COMMAND_ERRORS,
    )
    def set_email(
        self,
        request: Request,
        accounts: NamedDependency[Accounts],
        signed_in_as: NamedDependency[Account],
        data: JSONBody[EmailBody],
    ) -> dict[str, Any]:
        account = owner(signed_in_as)
        changed = commands.set_email(accounts, actor_of(request), account.username, data.email)
        return account_view(changed)

    @post(
        "/calendar-feed",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Make your private calendar feed (the address is shown only now)",
        responses=COMMAND_ERRORS,
    )
    def make_feed(
        self,
        request: Request,
        calendar_feeds: NamedDependency[CalendarFeeds],
        signed_in_as: NamedDependency[Account],
    ) -> dict[str, Any]:
        """A new address replaces the one before, which stops working at once."""
        account = owner(signed_in_as)
        made = calendar_feeds.make(account.username, actor=actor_of(request))
        return {"url": feed_url(request, made.path), "made_at": made.made_at.isoformat()}

    @delete(
        "/calendar-feed",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Revoke your calendar feed: its address answers 404 from now on",
        responses=COMMAND_ERRORS,
    )
    def revoke_feed(
        self,
        request: Request,
        calendar_feeds: NamedDependency[CalendarFeeds],
        signed_in_as: NamedDependency[Account],
    ) -> dict[str, Any]:
        account = owner(signed_in_as)
        calendar_feeds.revoke(account.username, actor=actor_of(request))
        return {"revoked": True}


class MyAccountPages(Controller):
    path = MY_ACCOUNT
    dependencies = VISIT
    include_in_schema = False

    @page_route("/", "my_account")
    def account_page(self, visit: NamedDependency[Visit]) -> Response:
        return page("my_account.html", my_account_context(visit))

    @post("/email", name="my_account_email", sync_to_thread=True)
    def set_email(self, visit: NamedDependency[Visit], data: Form) -> Response:
        email = text(data, "email")
        account = owner(visit.signed_in_as)
        try:
            changed = commands.set_email(
                visit.accounts, actor_of(visit.request), account.username, email
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("email", error)
            ctx = my_account_context(visit, error=shown, entered={"email": email})
            return page("my_account.html", ctx, status)
        said = (
            f"Steady emails you at {changed.email}."
            if changed.email
            else "Removed your email address: Steady emails you nothing."
        )
        return back_with(visit.request, MY_ACCOUNT, said)

    @post("/calendar-feed", name="my_account_feed", sync_to_thread=True)
    def make_feed(self, visit: NamedDependency[Visit]) -> Response:
        """The address is drawn on this answer only: Steady keeps its digest."""
        account = owner(visit.signed_in_as)
        feeds: CalendarFeeds = visit.request.app.state.calendar_feeds
        made = feeds.make(account.username, actor=actor_of(visit.request))
        ctx = my_account_context(visit, feed_url=feed_url(visit.request, made.path))
        return page("my_account.html", ctx)

    @post("/calendar-feed/revoke", name="my_account_feed_revoke", sync_to_thread=True)
    def revoke_feed(self, visit: NamedDependency[Visit]) -> Response:
        account = owner(visit.signed_in_as)
        feeds: CalendarFeeds = visit.request.app.state.calendar_feeds
        try:
            feeds.revoke(account.username, actor=actor_of(visit.request))
        except DomainError as error:
            shown, status = refusal("feed", error)
            return page("my_account.html", my_account_context(visit, error=shown), status)
        return back_with(
            visit.request, MY_ACCOUNT, "Revoked your calendar feed: its address stops working."
        )


MY_ACCOUNT_HANDLERS = [MyAccountApi, MyAccountPages]
