"""Each person's own API tokens: only the owner of an account issues tokens for it (an admin
issues them only for accounts made for scripts, which have no password), so a token always acts
for the person who asked for it.

A new token is issued only over a password sign-in (the session), never with another token: a
leaked token must not be able to mint more of itself. Revoking works either way.
"""

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import MAX_LABEL, Account
from domain.errors import DomainError
from service.access.permissions import Forbidden
from service.accounts.service import account_view
from web.accounts import commands as commands
from web.accounts.api import actor_of, token_id_of
from web.accounts.pages import Form, back_with, refusal, take_flash, text
from web.auth import account_of, accounts_of
from web.errors import COMMAND_ERRORS, READ_ERRORS, BadInput
from web.incidents.pages import _settings, _steady, context, moment, page

MY_TOKENS = "/account/tokens"
WITH_PASSWORD = (
    "issue a token while signed in with your password, not with another token: a token that "
    "could issue tokens would outlive its own revocation"
)


@dataclass
class Label:
    label: str = "api"


def owner(request: Request) -> Account:
    """The signed-in person, who may issue a token for themselves only over a sign-in."""
    account = account_of(request)
    if account.disabled:
        raise Forbidden(f"{account.username} is disabled")
    return account


def issue_own(request: Request, label: str) -> dict[str, Any]:
    account = owner(request)
    if token_id_of(request) is not None:
        raise Forbidden(WITH_PASSWORD)
    return commands.issue_token(accounts_of(request), actor_of(request), account.username, label)


class MyTokensApi(Controller):
    path = "/api/v1/me"
    tags = ["accounts"]

    @get("/", sync_to_thread=True, summary="Your own account", responses=READ_ERRORS)
    def me(self, request: Request) -> dict[str, Any]:
        return account_view(owner(request))

    @post(
        "/tokens",
        sync_to_thread=True,
        status_code=HTTP_201_CREATED,
        summary="Issue an API token for yourself (signed in with your password)",
        responses=COMMAND_ERRORS,
    )
    def issue(self, request: Request, data: JSONBody[Label]) -> dict[str, Any]:
        """The token is in this response only: Steady keeps its digest."""
        return issue_own(request, data.label)

    @delete(
        "/tokens/{token_id:str}",
        sync_to_thread=True,
        status_code=HTTP_200_OK,
        summary="Revoke one of your API tokens",
        responses=COMMAND_ERRORS,
    )
    def revoke(self, request: Request, token_id: FromPath[str]) -> dict[str, Any]:
        account = owner(request)
        changed = commands.revoke_token(
            accounts_of(request), actor_of(request), account.username, token_id
        )
        return account_view(changed)


def my_tokens_context(request: Request, **values: Any) -> dict[str, Any]:
    account = owner(request)
    zone, now = _settings(request).zone(), _steady(request).clock()
    tokens = [
        {
            **t,
            "issued": moment(t["issued_at"], zone, now),
            "revoked": moment(t["revoked_at"], zone, now),
        }
        for t in account_view(account)["tokens"]
    ]
    tokens.sort(key=lambda t: (t["revoked_at"] is not None, t["issued_at"]))
    return context(
        request,
        "Your API tokens",
        flash=take_flash(request),
        error=values.pop("error", None),
        entered=values.pop("entered", {}),
        account={"username": account.username, "href": MY_TOKENS, "disabled": account.disabled},
        tokens=tokens,
        max_label=MAX_LABEL,
        **values,
    )


class MyTokensPages(Controller):
    path = MY_TOKENS
    include_in_schema = False

    @get("/", name="my_tokens", sync_to_thread=True)
    def tokens_page(self, request: Request) -> Response:
        return page("my_tokens.html", my_tokens_context(request))

    @post("/", name="my_tokens_issue", sync_to_thread=True)
    def issue(self, request: Request, data: Form) -> Response:
        label = text(data, "label").strip()
        try:
            issued = issue_own(request, label)
        except (DomainError, BadInput) as error:
            shown, status = refusal("issue-token", error)
            ctx = my_tokens_context(request, error=shown, entered={"label": label})
            return page("my_tokens.html", ctx, status)
        username = owner(request).username
        ctx = context(
            request,
            "New API token · Your API tokens",
            account={"username": username, "href": MY_TOKENS},
            issued=issued,
            own=True,
        )
        return page("admin_token.html", ctx)

    @post("/revoke", name="my_tokens_revoke", sync_to_thread=True)
    def revoke(self, request: Request, data: Form) -> Response:
        token_id = text(data, "token_id")
        account = owner(request)
        try:
            commands.revoke_token(
                accounts_of(request), actor_of(request), account.username, token_id
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("revoke-token", error)
            return page("my_tokens.html", my_tokens_context(request, error=shown), status)
        return back_with(
            request, MY_TOKENS, f"Revoked your API token {token_id}: it stops working at once."
        )


MY_TOKEN_HANDLERS = [MyTokensApi, MyTokensPages]
