"""The admin's pages: every account at a glance, one account's roles, positions, password, tokens
and status, and the organisations.

Plain HTML forms that work without JavaScript: each POST carries the CSRF token, goes through
the same commands as the JSON API (web/accounts/commands.py), and redirects back with a one-off
confirmation kept in the session; a refusal draws the form again with what was wrong, how to
fix it, and what was typed (never a password). A new API token is drawn once, on the page that
answers the POST that issued it, and is kept nowhere.
"""

import re
from collections.abc import Callable
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, Request, Response, get, post
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, QueryParameter
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from domain.account import MAX_LABEL, Account
from domain.credentials import MIN_PASSWORD
from domain.errors import Conflict, DomainError, NotFound
from domain.organisation import ORGANISATION_KINDS
from domain.people import Actor
from domain.roles import ROLES
from service.access.permissions import Forbidden
from service.accounts.service import Accounts, account_view
from web.accounts import commands as commands
from web.accounts.api import ACCOUNT_HANDLERS, MANAGE, admin_actor, guard
from web.accounts.commands import MAX_REASON
from web.auth import accounts_of, allow
from web.errors import BadInput
from web.incidents.pages import _settings, _steady, context, moment, page, role_label, role_titles

FLASH = "admin_flash"
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ROLE_LABELS = {
    "admin": "Account administrator",
    "crisis-lead": "Crisis team lead",
    "responder": "Responder (school team)",
    "district-leader": "District leader",
    "partner": "Community partner",
    "auditor": "Auditor (reads only)",
}
KIND_LABELS = {"district": "District", "school": "School", "partner": "Community partner"}
# The input a refused field's error is shown beside and links to, by form and field.
FIELD_IDS = {
    "add-account": {
        "username": "account-username",
        "display_name": "account-name",
        "organisation": "account-organisation",
        "roles": "account-role-admin",
        "positions": "account-positions",
        "password": "account-password",
    },
    "add-organisation": {"slug": "org-slug", "name": "org-name", "kind": "org-kind-district"},
    "stand-in": {"slug": "stand-in-organisation", "role": "stand-in-role"},
    "grant-role": {"role": "grant-role"},
    "positions": {"positions": "positions"},
    "schools": {"schools": "schools-section"},
    "password": {"password": "new-password"},
    "disable": {"reason": "disable-reason"},
    "issue-token": {"label": "token-label"},
}
# The section a refusal of the whole form (a rule of the domain) links to.
FORM_IDS = {
    "add-account": "add-account",
    "add-organisation": "add-organisation",
    "stand-in": "stand-ins",
    "end-stand-in": "stand-ins",
    "grant-role": "roles",
    "revoke-role": "roles",
    "positions": "positions-section",
    "schools": "schools-section",
    "password": "password-section",
    "disable": "status-section",
    "enable": "status-section",
    "issue-token": "tokens",
    "revoke-token": "tokens",
}


# -- reading forms ------------------------------------------------------------------------------


def text(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    return value[-1] if isinstance(value, list) else str(value)


def every(data: dict[str, Any], name: str) -> list[str]:
    """All values of a field that may repeat (checkboxes); the form parser gives one value as a
    string and several as a list."""
    value = data.get(name, [])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def positions_in(value: str) -> list[str]:
    """Positions typed as one line: separated by commas or spaces."""
    return [p for p in re.split(r"[\s,;]+", value.strip()) if p]


# -- what the pages show ------------------------------------------------------------------------


def refusal(
    form: str, error: DomainError | BadInput, *, taken: str | None = None
) -> tuple[dict[str, str], int]:
    """An error for the page: the message as a sentence, the field it links to, the status.
    `taken` is the field a conflict is about (a username or an organisation id in use)."""
    message = sentence(str(error).strip())
    if not message.endswith((".", "!", "?")):
        message += "."
    field = error.field if isinstance(error, BadInput) else None
    if isinstance(error, Conflict):
        field = taken
    inputs = FIELD_IDS.get(form, {})
    if field not in inputs:
        field = None  # no input of its own on the page: shown beside the form as a whole
    target = inputs[field] if field else FORM_IDS.get(form, "main")
    status = (
        HTTP_400_BAD_REQUEST
        if isinstance(error, BadInput)
        else HTTP_403_FORBIDDEN
        if isinstance(error, Forbidden)
        else HTTP_409_CONFLICT
        if isinstance(error, Conflict)
        else HTTP_422_UNPROCESSABLE_ENTITY
    )
    return {"form": form, "field": field or "", "target": target, "message": message}, status


def take_flash(request: Request) -> str:
    session = request.session if isinstance(request.session, dict) else {}
    message = session.pop(FLASH, "")
    return str(message)


def back_with(request: Request, target: str, message: str) -> Redirect:
    session = request.session if isinstance(request.session, dict) else {}
    request.set_session({**session, FLASH: message})
    return Redirect(target, status_code=HTTP_303_SEE_OTHER)


def account_href(username: str) -> str:
    return f"/admin/accounts/{quote(username)}"


def sentence(text: str) -> str:
    """Capitalised without lowering the rest (Jinja's capitalize would write "api")."""
    return text[:1].upper() + text[1:]


def role_name(role: str) -> str:
    return ROLE_LABELS.get(role, role_label(role))


def account_row(account: Account, organisations: dict[str, str]) -> dict[str, Any]:
    view = account_view(account)
    tokens = view["tokens"]
    return {
        **view,
        "href": account_href(account.username),
        "organisation_name": organisations.get(view["organisation"], view["organisation"]),
        "role_labels": [role_name(r) for r in view["roles"]],
        "active_tokens": [t for t in tokens if t["revoked_at"] is None],
        "revoked_tokens": len([t for t in tokens if t["revoked_at"] is not None]),
    }


def organisation_names(accounts: Accounts) -> dict[str, str]:
    return {o.slug: o.name for o in accounts.organisations()}


def matches(row: dict[str, Any], query: str) -> bool:
    wanted = query.casefold()
    haystack = [row["username"], row["display_name"], row["organisation"], row["organisation_name"]]
    return any(wanted in value.casefold() for value in [*haystack, *row["roles"]])


def accounts_page_context(
    request: Request,
    *,
    query: str = "",
    error: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    accounts = accounts_of(request)
    organisations = accounts.organisations()
    playbook_roles = accounts.playbook_roles()
    names = {o.slug: o.name for o in organisations}
    rows = [account_row(a, names) for a in accounts.list_users()]
    shown = [r for r in rows if matches(r, query)] if query else rows
    return context(
        request,
        "Accounts",
        flash=take_flash(request),
        error=error,
        entered=entered or {},
        query=query,
        rows=shown,
        total=len(rows),
        admins=accounts.admins(),
        organisations=[
            {
                "slug": o.slug,
                "name": o.name,
                "kind": o.kind,
                "kind_label": KIND_LABELS[o.kind],
                "stands_in": [{"id": r, "title": playbook_roles.get(r, r)} for r in o.stands_in],
            }
            for o in organisations
        ],
        partners=[{"slug": o.slug, "name": o.name} for o in organisations if o.is_partner],
        playbook_roles=[{"id": r, "title": t} for r, t in sorted(playbook_roles.items())],
        organisation_kinds=[
            {"value": k, "label": KIND_LABELS[k], "hint": sentence(hint)}
            for k, hint in ORGANISATION_KINDS.items()
        ],
        roles=[
            {"value": r, "label": role_name(r), "hint": sentence(hint)} for r, hint in ROLES.items()
        ],
        known_positions=known_positions(request),
        min_password=MIN_PASSWORD,
    )


def known_positions(request: Request) -> list[dict[str, str]]:
    """The playbook roles a responder can hold as positions (not the access roles)."""
    return [
        {"value": value, "label": label}
        for value, label in role_titles(_steady(request)).items()
        if value not in ROLES
    ]


def account_page_context(
    request: Request,
    username: str,
    *,
    error: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    accounts = accounts_of(request)
    account = accounts.account(username)
    zone = _settings(request).zone()
    now = _steady(request).clock()
    row = account_row(account, organisation_names(accounts))
    tokens = [
        {
            **t,
            "issued": moment(t["issued_at"], zone, now),
            "revoked": moment(t["revoked_at"], zone, now),
        }
        for t in row["tokens"]
    ]
    tokens.sort(key=lambda t: (t["revoked_at"] is not None, t["issued_at"]))
    return context(
        request,
        f"{account.username} · Accounts",
        flash=take_flash(request),
        error=error,
        entered=entered or {},
        account=row,
        created=moment(row["created_at"], zone, now),
        tokens=tokens,
        grantable=[{"value": r, "label": role_name(r)} for r in ROLES if r not in account.roles],
        role_hints={role: sentence(hint) for role, hint in ROLES.items()},
        is_last_admin=accounts.admins() == [account.username],
        is_me=account.username == allow(request, MANAGE).username,
        known_positions=known_positions(request),
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


# -- changes to one account ---------------------------------------------------------------


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
    "password": _password,
    "disable": _disable,
    "enable": _enable,
    "revoke-token": _revoke_token,
}
# What the form held, to draw it again after a refusal (never a password).
KEPT = {"positions": ("positions",), "disable": ("reason",), "grant-role": ("role",)}


def issue_token(
    request: Request, accounts: Accounts, actor: Actor, username: str, data: dict[str, Any]
) -> Response:
    """The token is drawn on this answer only: after a redirect it would have to be kept
    somewhere in between, and a secret kept is a secret that can leak."""
    label = text(data, "label").strip()
    try:
        issued = commands.issue_token(accounts, actor, username, label)
    except (DomainError, BadInput) as error:
        shown, status = refusal("issue-token", error)
        ctx = account_page_context(request, username, error=shown, entered={"label": label})
        return page("admin_account.html", ctx, status)
    ctx = context(
        request,
        f"New API token for {username} · Accounts",
        account={"username": username, "href": account_href(username)},
        issued=issued,
    )
    return page("admin_token.html", ctx)


# -- the handlers -------------------------------------------------------------------------------


class AdminPages(Controller):
    """One controller, because Litestar registers the handlers that share a path together: as
    separate functions, a GET and a POST on /admin/accounts would each wrap the other's
    thread-runner again on registration, and the GET would answer with an unawaited coroutine."""

    path = "/admin"
    guards = [guard(MANAGE)]
    include_in_schema = False

    @get("/accounts", name="admin_accounts", sync_to_thread=True)
    def accounts_page(
        self, request: Request, q: Annotated[str | None, QueryParameter(name="q")] = None
    ) -> Response:
        allow(request, MANAGE)
        query = (q or "").strip()[:100]
        return page("admin_accounts.html", accounts_page_context(request, query=query))

    @post("/accounts", name="admin_add_account", sync_to_thread=True)
    def add_account(self, request: Request, data: Form) -> Response:
        actor = admin_actor(request)
        entered = {
            "username": text(data, "username").strip(),
            "display_name": text(data, "display_name").strip(),
            "organisation": text(data, "organisation"),
            "roles": every(data, "roles"),
            "positions": text(data, "positions"),
        }
        password = text(data, "password")
        try:
            account = commands.add_account(
                accounts_of(request),
                actor,
                username=entered["username"],
                display_name=entered["display_name"],
                organisation=entered["organisation"],
                roles=entered["roles"],
                positions=positions_in(entered["positions"]),
                password=password or None,  # none: the account acts only through API tokens
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("add-account", error, taken="username")
            ctx = accounts_page_context(request, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        how = (
            "They can sign in with the password you set; give it to them in person or by phone."
            if password
            else "It has no password: it can act only through API tokens you issue below."
        )
        message = f"Added {account.username}. {how}"
        return back_with(request, account_href(account.username), message)

    @post("/organisations", name="admin_add_organisation", sync_to_thread=True)
    def add_organisation(self, request: Request, data: Form) -> Response:
        actor = admin_actor(request)
        entered = {
            "slug": text(data, "slug").strip(),
            "name": text(data, "name").strip(),
            "kind": text(data, "kind"),
        }
        try:
            organisation = commands.add_organisation(
                accounts_of(request), actor, entered["slug"], entered["name"], entered["kind"]
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("add-organisation", error, taken="slug")
            ctx = accounts_page_context(request, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        message = f"Added the organisation {organisation.name} ({organisation.slug})."
        return back_with(request, "/admin/accounts#organisations", message)

    @post("/organisations/stand-ins", name="admin_stand_in", sync_to_thread=True)
    def stand_in(self, request: Request, data: Form) -> Response:
        actor = allow(request, MANAGE).acting_as("admin")
        entered = {"slug": text(data, "slug"), "role": text(data, "role")}
        accounts = accounts_of(request)
        try:
            organisation = commands.stand_in(accounts, actor, entered["slug"], entered["role"])
        except (DomainError, BadInput) as error:
            if isinstance(error, NotFound):  # an organisation not offered: say so by the field
                error = BadInput(str(error), "slug")
            shown, status = refusal("stand-in", error)
            ctx = accounts_page_context(request, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        role = accounts.playbook_roles().get(entered["role"].strip().lower(), entered["role"])
        message = (
            f"{organisation.name} stands in for {role}: playbooks applied from now on assign "
            "it that role's tasks and share the incident with it."
        )
        return back_with(request, "/admin/accounts#stand-ins", message)

    @post("/organisations/stand-ins/end", name="admin_end_stand_in", sync_to_thread=True)
    def end_stand_in(self, request: Request, data: Form) -> Response:
        actor = allow(request, MANAGE).acting_as("admin")
        entered = {"slug": text(data, "slug"), "role": text(data, "role")}
        try:
            organisation = commands.end_stand_in(
                accounts_of(request), actor, entered["slug"], entered["role"]
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("end-stand-in", error)
            ctx = accounts_page_context(request, error=shown)
            return page("admin_accounts.html", ctx, status)
        message = (
            f"{organisation.name} no longer stands in for {entered['role']}; tasks it already "
            "has stay assigned to it."
        )
        return back_with(request, "/admin/accounts#stand-ins", message)

    @get("/accounts/{username:str}", name="admin_account", sync_to_thread=True)
    def account_page(self, request: Request, username: FromPath[str]) -> Response:
        allow(request, MANAGE)
        return page("admin_account.html", account_page_context(request, username))

    @post("/accounts/{username:str}/{change:str}", name="admin_change", sync_to_thread=True)
    def change_account(
        self, request: Request, username: FromPath[str], change: FromPath[str], data: Form
    ) -> Response:
        actor = admin_actor(request)
        accounts = accounts_of(request)
        account = accounts.account(username)  # an unknown account: the 404 page
        if change == "tokens":
            return issue_token(request, accounts, actor, account.username, data)
        act = CHANGES.get(change)
        if act is None:
            raise NotFound(f"there is no change called {change!r} for an account")
        try:
            message = act(accounts, actor, account.username, data)
        except (DomainError, BadInput) as error:
            if isinstance(error, NotFound):
                raise
            shown, status = refusal(change, error)
            entered = {name: text(data, name) for name in KEPT.get(change, ())}
            ctx = account_page_context(request, account.username, error=shown, entered=entered)
            return page("admin_account.html", ctx, status)
        return back_with(request, account_href(account.username), message)


# Everything web/app.py registers for accounts: the JSON API and these pages.
ADMIN_HANDLERS = [*ACCOUNT_HANDLERS, AdminPages]
