"""Each person's own API tokens: only the owner of an account issues tokens for it (an admin
issues them only for accounts made for scripts, which have no password), so a token always acts
for the person who asked for it.

A new token is issued only over a password sign-in (the session), never with another token: a
leaked token must not be able to mint more of itself. Revoking works either way.
"""

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.di import NamedDependency
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import MAX_LABEL, Account
from domain.errors import DomainError
from service.access.permissions import Forbidden
from service.accounts.service import Accounts, account_view
from web import api_fields
from web.accounts import commands as commands
from web.accounts.api import TokenId, actor_of, token_id_of
from web.accounts.forms import VISIT, Form, Visit, back_with, refusal, take_flash, text, token_rows
from web.errors import COMMAND_ERRORS, READ_ERRORS, BadInput
from web.rendering import context, page

MY_TOKENS = "/account/tokens"
WITH_PASSWORD = (
    "issue a token while signed in with your password, not with another token: a token that "
    "could issue tokens would outlive its own revocation"
)


@dataclass
class Label:
    label: Annotated[str, api_fields.field(api_fields.text(MAX_LABEL))] = "api"


def owner(account: Account) -> Account:
    """The signed-in person, who may issue a token for themselves only over a sign-in."""
    if account.disabled:
        raise Forbidden(f"{account.username} is disabled")
    return account


def issue_own(
    request: Request, accounts: Accounts, signed_in_as: Account, label: str
) -> dict[str, Any]:
    account = owner(signed_in_as)
    if token_id_of(request) is not None:
        raise Forbidden(WITH_PASSWORD)
    return commands.issue_token(accounts, actor_of(request), account.username, label)


class MyTokensApi(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @get("/", sync_to_thread=True, summary="Your own account", responses=READ_ERRORS)
    def me(self, signed_in_as: NamedDependency[Account]) -> dict[str, Any]:
        return account_view(owner(signed_in_as))

    @post(
        "/tokens",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Issue an API token for yourself (signed in with your password)",
        responses=COMMAND_ERRORS,
    )
    def issue(
        self,
        request: Request,
        accounts: NamedDependency[Accounts],
        signed_in_as: NamedDependency[Account],
        data: JSONBody[Label],
    ) -> dict[str, Any]:
        """The token is in this response only: Steady keeps its digest."""
        return issue_own(request, accounts, signed_in_as, data.label)

    @delete(
        "/tokens/{token_id:str}",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Revoke one of your API tokens",
        responses=COMMAND_ERRORS,
    )
    def revoke(
        self,
        request: Request,
        accounts: NamedDependency[Accounts],
        signed_in_as: NamedDependency[Account],
        token_id: TokenId,
    ) -> dict[str, Any]:
        account = owner(signed_in_as)
        changed = commands.revoke_token(accounts, actor_of(request), account.username, token_id)
        return account_view(changed)


def my_tokens_context(visit: Visit, **values: Any) -> dict[str, Any]:
    account = owner(visit.signed_in_as)
    now = visit.steady.clock()
    return context(
        visit.request,
        "Your API tokens",
        flash=take_flash(visit.request),
        error=values.pop("error", None),
        entered=values.pop("entered", {}),
        account={"username": account.username, "href": MY_TOKENS, "disabled": account.disabled},
        tokens=token_rows(account_view(account)["tokens"], visit.zone, now),
        max_label=MAX_LABEL,
        **values,
    )


class MyTokensPages(Controller):
    path = MY_TOKENS
    dependencies = VISIT
    include_in_schema = False

    @get("/", name="my_tokens", sync_to_thread=True)
    def tokens_page(self, visit: NamedDependency[Visit]) -> Response:
        return page("my_tokens.html", my_tokens_context(visit))

    @post("/", name="my_tokens_issue", sync_to_thread=True)
    def issue(self, visit: NamedDependency[Visit], data: Form) -> Response:
        label = text(data, "label").strip()
        try:
            issued = issue_own(visit.request, visit.accounts, visit.signed_in_as, label)
        except (DomainError, BadInput) as error:
            shown, status = refusal("issue-token", error)
            ctx = my_tokens_context(visit, error=shown, entered={"label": label})
            return page("my_tokens.html", ctx, status)
        username = owner(visit.signed_in_as).username
        ctx = context(
            visit.request,
            "New API token · Your API tokens",
            account={"username": username, "href": MY_TOKENS},
            issued=issued,
            own=True,
        )
        return page("admin_token.html", ctx)

    @post("/revoke", name="my_tokens_revoke", sync_to_thread=True)
    def revoke(self, visit: NamedDependency[Visit], data: Form) -> Response:
        token_id = text(data, "token_id")
        account = owner(visit.signed_in_as)
        try:
            actor = actor_of(visit.request)
            commands.revoke_token(visit.accounts, actor, account.username, token_id)
        except (DomainError, BadInput) as error:
            shown, status = refusal("revoke-token", error)
            ctx = my_tokens_context(visit, error=shown)
            return page("my_tokens.html", ctx, status)
        return back_with(
            visit.request,
            MY_TOKENS,
            f"Revoked your API token {token_id}: it stops working at once.",
        )


MY_TOKEN_HANDLERS = [MyTokensApi, MyTokensPages]
