"""Signing in with a username and password, and signing out (every session of the account)."""

import re
from typing import Annotated
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, QueryParameter
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_303_SEE_OTHER

from domain.errors import DomainError
from service.access.permissions import can
from service.accounts.refusals import SignInFailed, SignInLocked
from service.accounts.service import Accounts
from web.access.auth import address_of, end_sessions
from web.access.sessions import start_session
from web.rendering import context, page, who

MAX_NAME = 100
NO_MATCH = "That username and password do not match."


def safe_next(target: str | None) -> str:
    """Only a path on this site: never send someone elsewhere after signing in."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def signin_form(
    request: Request, *, username: str = "", next_: str = "/", error: str = "", status: int = 200
) -> Template:
    return page(
        "signin.html",
        context(request, "Sign in", username=username, next=next_, error=error),
        status_code=status,
    )


@get("/signin", name="signin", sync_to_thread=False, include_in_schema=False)
def signin(
    request: Request, next_: Annotated[str | None, QueryParameter(name="next")] = None
) -> Response:
    target = safe_next(next_)
    if who(request) is not None:
        return Redirect(target, status_code=HTTP_303_SEE_OTHER)
    return signin_form(request, next_=target)


@post("/signin", name="signin_submit", sync_to_thread=True, include_in_schema=False)
def signin_submit(
    request: Request,
    accounts: NamedDependency[Accounts],
    zone: NamedDependency[ZoneInfo],
    data: Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)],
) -> Response:
    username = re.sub(r"\s+", "", str(data.get("username", "")))[:MAX_NAME]
    password = str(data.get("password", ""))
    target = safe_next(str(data.get("next", "")))
    try:
        account = accounts.authenticate_password(username, password, address_of(request))
    except SignInLocked as locked:
        local = locked.retry_at.astimezone(zone)
        message = f"Too many attempts; try again after {local:%H:%M}."
        return signin_form(request, username=username, next_=target, error=message, status=429)
    except SignInFailed:
        return signin_form(request, username=username, next_=target, error=NO_MATCH, status=401)
    start_session(request, account)
    roles = account.roles
    # The help desk sees no board: its work starts at the queue, not at a refusal.
    if target == "/" and not can(roles, "view_board") and can(roles, "view_help_requests"):
        target = "/help-desk"
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


@post("/signout", name="signout", sync_to_thread=True, include_in_schema=False)
def signout(request: Request) -> Response:
    """Ends every session of the account on the server, not only this browser's cookie."""
    try:
        end_sessions(request)
    except (SignInFailed, DomainError):
        request.clear_session()  # nothing valid to end (or it is changing): forget this one
    return Redirect("/signin", status_code=HTTP_303_SEE_OTHER)


SIGNIN_HANDLERS = [signin, signin_submit, signout]
