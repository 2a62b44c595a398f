"""One account's page, for admins: its roles, positions, schools, email address, password, API
tokens and status, each changed by a form of its own. A new API token is drawn once, on the
page that answers the POST that issued it, and is kept nowhere."""

from collections.abc import Callable
from typing import Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.account import MAX_LABEL
from domain.credentials import MIN_PASSWORD
from domain.errors import DomainError, NotFound
from domain.people import Actor
from domain.roles import ROLES
from service.accounts.service import Accounts
from web.access.guards import requires
from web.accounts import commands as commands
from web.accounts.api import ADMIN, MANAGE
from web.accounts.commands import MAX_REASON
from web.accounts.forms import (
    VISIT,
    Form,
    Visit,
    account_href,
    account_row,
    back_with,
    every,
    known_positions,
    positions_in,
    refusal,
    role_name,
    sentence,
    take_flash,
    text,
    token_rows,
)
from web.errors import BadInput
from web.rendering import context, format_time, page


def account_page_context(
    visit: Visit,
    username: str,
    *,
    error: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    request, accounts, zone = visit.request, visit.accounts, visit.zone
    account = accounts.account(username)
    now = visit.steady.clock()
    names = {o.slug: o.name for o in accounts.organisations()}
    row = account_row(account, names)
    return context(
        request,
        f"{account.username} · Accounts",
        flash=take_flash(request),
        error=error,
        entered=entered or {},
        account=row,
        created=format_time(row["created_at"], zone, now),
        tokens=token_rows(row["tokens"], zone, now),
        grantable=[{"value": r, "label": role_name(r)} for r in ROLES if r not in account.roles],
        role_hints={role: sentence(hint) for role, hint in ROLES.items()},
        is_last_admin=accounts.admins() == [account.username],
        is_me=account.username == visit.signed_in_as.username,
        known_positions=known_positions(visit.steady),
        # The schools an admin may give, besides the account's own organisation.
        school_choices=[
            {"slug": o.slug, "name": o.name, "given": o.slug in account.schools}
            for o in accounts.organisations()
            if o.kind == "school" and o.slug != account.organisation
        ],
        min_password=MIN_PASSWORD,
        max_label=MAX_LABEL,
        max_reason=MAX_REASON,
    )


# -- changes to one account ---------------------------------------------------------------------


Change = Callable[[Accounts, Actor, str, dict[str, Any]], str]


def _grant(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    role = text(data, "role")
    commands.grant_role(accounts, actor, username, role)
    return f"Granted {role_name(role)} to {username}."


def _revoke(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    role = text(data, "role")
    commands.revoke_role(accounts, actor, username, role)
    return f"Revoked {role_name(role)} from {username}."


def _positions(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    positions = positions_in(text(data, "positions"))
    account = commands.set_positions(accounts, actor, username, positions)
    held = ", ".join(account.positions) or "none"
    return f"Positions of {username} are now: {held}."


def _schools(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    schools = [s for s in every(data, "schools") if s.strip()]
    account = commands.set_schools(accounts, actor, username, schools)
    given = ", ".join(account.schools) or "none"
    return f"Schools given to {username} are now: {given}."


def _email(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    account = commands.set_email(accounts, actor, username, text(data, "email"))
    if not account.email:
        return f"Removed the email address of {username}: Steady emails them nothing."
    return f"Steady emails {username} at {account.email}."


def _password(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    commands.set_password(accounts, actor, username, text(data, "password"))
    return f"Set a new password for {username}. Give it to them in person or by phone."


def _disable(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    reason = text(data, "reason").strip()
    if not reason:
        raise BadInput(
            "say why the account is disabled (for example: left the district): "
            "auditors read it later",
            "reason",
        )
    commands.disable(accounts, actor, username, reason)
    return f"Disabled {username}: they are signed out, and their API tokens stop working."


def _enable(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    accounts.enable(username, actor=actor)
    return f"Enabled {username}: they can sign in again, and their active tokens work again."


def _revoke_token(accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]) -> str:
    token_id = text(data, "token_id")
    commands.revoke_token(accounts, actor, username, token_id)
    return f"Revoked the API token {token_id} of {username}: it stops working at once."


CHANGES: dict[str, Change] = {
    "grant-role": _grant,
    "revoke-role": _revoke,
    "positions": _positions,
    "schools": _schools,
    "email": _email,
    "password": _password,
    "disable": _disable,
    "enable": _enable,
    "revoke-token": _revoke_token,
}
# What the form held, to draw it again after a refusal (never a password).
KEPT = {
    "positions": ("positions",),
    "email": ("email",),
    "disable": ("reason",),
    "grant-role": ("role",),
}


def issue_token(visit: Visit, actor: Actor, username: str, data: dict[str, Any]) -> Response:
    """The token is drawn on this answer only: after a redirect it would have to be kept
    somewhere in between, and a secret kept is a secret that can leak."""
    label = text(data, "label").strip()
    try:
        issued = commands.issue_token(visit.accounts, actor, username, label)
    except (DomainError, BadInput) as error:
        shown, status = refusal("issue-token", error)
        ctx = account_page_context(visit, username, error=shown, entered={"label": label})
        return page("admin_account.html", ctx, status)
    ctx = context(
        visit.request,
        f"New API token for {username} · Accounts",
        account={"username": username, "href": account_href(username)},
        issued=issued,
    )
    return page("admin_token.html", ctx)


# -- the handlers -------------------------------------------------------------------------------


class AccountPage(Controller):
    path = "/admin"
    guards = [requires(MANAGE)]
    dependencies = {**ADMIN, **VISIT}
    include_in_schema = False

    @get("/accounts/{username:str}", name="admin_account", sync_to_thread=True)
    def account_page(self, visit: NamedDependency[Visit], username: FromPath[str]) -> Response:
        return page("admin_account.html", account_page_context(visit, username))

    @post("/accounts/{username:str}/{change:str}", name="admin_change", sync_to_thread=True)
    def change_account(
        self,
        visit: NamedDependency[Visit],
        admin: NamedDependency[Actor],
        username: FromPath[str],
        change: FromPath[str],
        data: Form,
    ) -> Response:
        account = visit.accounts.account(username)  # an unknown account: the 404 page
        if change == "tokens":
            return issue_token(visit, admin, account.username, data)
        act = CHANGES.get(change)
        if act is None:
            raise NotFound(f"there is no change called {change!r} for an account")
        try:
            message = act(visit.accounts, admin, account.username, data)
        except (DomainError, BadInput) as error:
            if isinstance(error, NotFound):
                raise
            shown, status = refusal(change, error)
            entered = {name: text(data, name) for name in KEPT.get(change, ())}
            ctx = account_page_context(visit, account.username, error=shown, entered=entered)
            return page("admin_account.html", ctx, status)
        return back_with(visit.request, account_href(account.username), message)
