"""Accounts and organisations over JSON, for admins; the record of account changes, for auditors.

A guard checks the permission before the body is read, so someone who may not manage accounts
gets 403 (or 401) whatever they sent, never a 400 about the body's fields. The commands
(web/accounts/commands.py) check each input, so a malformed one is a 400 naming the field. No
response carries a password, its hash, or an API token's secret or digest; a new token is shown
once, in the response that issues it.
"""

import dataclasses
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post, put
from litestar.connection import ASGIConnection
from litestar.di import NamedDependency, Provide
from litestar.params import JSONBody, QueryParameter
from litestar.status_codes import HTTP_200_OK, HTTP_201_CREATED

from domain.account import MAX_LABEL, TOKEN_ID_PATTERN, Account
from domain.credentials import MAX_PASSWORD, MIN_PASSWORD, USERNAME_PATTERN, check_username
from domain.organisation import MAX_NAME, MAX_SLUG, ORGANISATION_KINDS, SLUG_PATTERN
from domain.people import Actor
from domain.roles import POSITION_PATTERN, ROLES
from domain.school_days import CLOCK_PATTERN
from service.accounts.changes import MAX_LIMIT
from service.accounts.service import Accounts, account_view, organisation_view
from service.accounts.tokens import TOKEN_PATTERN
from web.access.auth import account_of
from web.access.guards import requires
from web.access.sessions import bearer_of
from web.accounts import commands as commands
from web.accounts.commands import MAX_REASON, checked
from web.api_fields import MAX_WHOLE, field, in_path, in_query, items, matching, one_of, text
from web.errors import COMMAND_ERRORS, ITEM_ERRORS, READ_ERRORS

MANAGE = "manage_accounts"
AUDIT = "view_audit_log"
# What every command's route says of itself: run in a worker thread, answer 200 (or 201 for
# what it makes), and the errors a command may answer with.
COMMAND: dict[str, Any] = {
    "sync_to_thread": True,
    "status_code": HTTP_200_OK,
    "responses": COMMAND_ERRORS,
}
CREATING: dict[str, Any] = {**COMMAND, "status_code": HTTP_201_CREATED}


def token_id_of(connection: ASGIConnection) -> str | None:
    """The public id of the API token the request came with, if it came with one (the token
    was checked when the request was signed in)."""
    token = bearer_of(connection.headers)
    match = TOKEN_PATTERN.match(token.strip()) if token else None
    return match.group(1) if match else None


def actor_of(request: Request, role: str | None = None) -> Actor:
    """Who is acting: the signed-in account in the role given (or its first position or role),
    with the token and who issued it when the request came with a token."""
    return account_of(request).acting_as(role, token_id=token_id_of(request))


def admin_actor(request: Request, signed_in_as: NamedDependency[Account]) -> Actor:
    """The admin acting, recorded in the role that allows it (the route's guard let them in)."""
    return signed_in_as.acting_as("admin", token_id=token_id_of(request))


# The `admin` dependency of the routes that only admins reach.
ADMIN = {"admin": Provide(admin_actor, sync_to_thread=False)}


# -- bodies -------------------------------------------------------------------------------------


Username = Annotated[str, field(matching(USERNAME_PATTERN.pattern))]
Slug = Annotated[str, field(matching(SLUG_PATTERN.pattern, most=MAX_SLUG))]
RoleName = Annotated[str, field(one_of(ROLES))]
PositionList = Annotated[
    list[str], field(items(matching(POSITION_PATTERN.pattern, most=64)), description="positions")
]
APassword = {"minLength": MIN_PASSWORD, "maxLength": MAX_PASSWORD, "pattern": r"\S"}
# A token's public id, as every token list shows it: a mistyped one is a 400.
TokenId = Annotated[str, in_path(matching(TOKEN_ID_PATTERN.pattern))]
CLOCK = CLOCK_PATTERN.pattern
OrganisationSlug = Annotated[str, in_path(matching(SLUG_PATTERN.pattern, most=MAX_SLUG))]
# A username in a path, as the document declares it: what cannot be one is refused as
# not matching, before any lookup.
UsernamePath = Annotated[str, in_path(matching(USERNAME_PATTERN.pattern))]


@dataclass
class NewAccount:
    username: Username
    display_name: Annotated[str, field(text(MAX_NAME))]
    organisation: Annotated[
        str,
        field(matching(SLUG_PATTERN.pattern, most=MAX_SLUG), description="an organisation's id"),
    ]
    roles: Annotated[list[str], field(items(one_of(ROLES), least=1))]
    positions: PositionList = dataclasses.field(default_factory=list)
    # Without one, the account signs in only with API tokens.
    password: Annotated[str | None, field(APassword)] = None


@dataclass
class Role:
    role: RoleName


@dataclass
class Positions:
    positions: PositionList


@dataclass
class Schools:
    schools: Annotated[list[str], field(items(matching(SLUG_PATTERN.pattern, most=MAX_SLUG)),
                                        description="ids of school organisations")]  # fmt: skip


@dataclass
class SchoolDay:
    start: Annotated[str, field(matching(CLOCK), description="HH:MM, district time")]
    end: Annotated[str, field(matching(CLOCK), description="HH:MM, after the start")]


@dataclass
class Password:
    password: Annotated[str, field(APassword)]


@dataclass
class Disabling:
    reason: Annotated[str, field(text(MAX_REASON, required=False))] = ""


@dataclass
class NewToken:
    label: Annotated[str, field(text(MAX_LABEL))] = "api"


@dataclass
class NewOrganisation:
    slug: Slug
    name: Annotated[str, field(text(MAX_NAME))]
    kind: Annotated[str, field(one_of(ORGANISATION_KINDS))]


@dataclass
class StandInFor:
    # A playbook role's id, such as partner-mental-health; one no playbook has is a 422.
    role: Annotated[str, field(text(64))]


# -- handlers -----------------------------------------------------------------------------------


class AccountsController(Controller):
    path = "/api/v1/accounts"
    tags = ["accounts"]
    guards = [requires(MANAGE)]
    dependencies = ADMIN

    @get(
        "/",
        sync_to_thread=True,
        summary="Every account (no password hashes, no token secrets)",
        responses=READ_ERRORS,
    )
    def list_accounts(self, accounts: NamedDependency[Accounts]) -> dict[str, Any]:
        return {
            "accounts": [account_view(a) for a in accounts.list_users()],
            "admins": accounts.admins(),
        }

    @post("/", summary="Add an account", **CREATING)
    def add_account(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        data: JSONBody[NewAccount],
    ) -> dict[str, Any]:
        account = commands.add_account(
            accounts,
            admin,
            username=data.username,
            display_name=data.display_name,
            organisation=data.organisation,
            roles=data.roles,
            positions=data.positions,
            password=data.password,
        )
        return account_view(account)

    @get("/{username:str}", sync_to_thread=True, summary="One account", responses=ITEM_ERRORS)
    def show_account(
        self, accounts: NamedDependency[Accounts], username: UsernamePath
    ) -> dict[str, Any]:
        return account_view(accounts.account(username))

    @post("/{username:str}/roles", **COMMAND)
    def grant_role(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[Role],
    ) -> dict[str, Any]:
        """Grant a role."""
        return account_view(commands.grant_role(accounts, admin, username, data.role))

    @delete("/{username:str}/roles/{role:str}", **COMMAND)
    def revoke_role(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        role: Annotated[str, in_path(one_of(ROLES))],
    ) -> dict[str, Any]:
        """Revoke a role (not the account's only one: grant another first, or disable it)."""
        return account_view(commands.revoke_role(accounts, admin, username, role))

    @put("/{username:str}/positions", **COMMAND)
    def set_positions(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[Positions],
    ) -> dict[str, Any]:
        """Set the positions (counselor, principal, ...) whose tasks the person owns."""
        return account_view(commands.set_positions(accounts, admin, username, data.positions))

    @put("/{username:str}/schools", **COMMAND)
    def set_schools(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[Schools],
    ) -> dict[str, Any]:
        """Set the schools (ids) whose incidents the person sees besides their organisation's."""
        return account_view(commands.set_schools(accounts, admin, username, data.schools))

    @put("/{username:str}/password", **COMMAND)
    def set_password(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[Password],
    ) -> dict[str, Any]:
        """Set a new password (at least 12 characters, not the username)."""
        return account_view(commands.set_password(accounts, admin, username, data.password))

    @post("/{username:str}/disable", **COMMAND)
    def disable_account(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[Disabling],
    ) -> dict[str, Any]:
        """Disable an account: it can no longer sign in, and its tokens stop working."""
        return account_view(commands.disable(accounts, admin, username, data.reason))

    @post("/{username:str}/enable", **COMMAND)
    def enable_account(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
    ) -> dict[str, Any]:
        return account_view(accounts.enable(username, actor=admin))

    @post("/{username:str}/tokens", **CREATING)
    def issue_api_token(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        data: JSONBody[NewToken],
    ) -> dict[str, Any]:
        """Issue an API token. The token is in this response only: Steady keeps its digest."""
        issued = commands.issue_token(accounts, admin, username, data.label)
        return {**issued, "account": account_view(accounts.account(username))}

    @delete("/{username:str}/tokens/{token_id:str}", **COMMAND)
    def revoke_api_token(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        username: UsernamePath,
        token_id: TokenId,
    ) -> dict[str, Any]:
        """Revoke an API token: it stops working at once."""
        return account_view(commands.revoke_token(accounts, admin, username, token_id))


class OrganisationsController(Controller):
    path = "/api/v1/organisations"
    tags = ["accounts"]
    guards = [requires(MANAGE)]
    dependencies = ADMIN

    @get(
        "/",
        sync_to_thread=True,
        summary="The district, its schools and community partners",
        responses=READ_ERRORS,
    )
    def list_organisations(self, accounts: NamedDependency[Accounts]) -> dict[str, Any]:
        return {"organisations": [organisation_view(o) for o in accounts.organisations()]}

    @post("/", summary="Add an organisation", **CREATING)
    def add_organisation(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        data: JSONBody[NewOrganisation],
    ) -> dict[str, Any]:
        organisation = commands.add_organisation(accounts, admin, data.slug, data.name, data.kind)
        return organisation_view(organisation)

    @post(
        "/{slug:str}/stand-ins",
        summary="Let a partner organisation stand in for a playbook role",
        **CREATING,
    )
    def stand_in(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        slug: OrganisationSlug,
        data: JSONBody[StandInFor],
    ) -> dict[str, Any]:
        """Applying a playbook then assigns the tasks of that role to the organisation and
        shares the incident with it. One partner a role: a second is refused (422)."""
        return organisation_view(commands.stand_in(accounts, admin, slug, data.role))

    @put("/{slug:str}/school-hours", summary="Set when a school's day starts and ends", **COMMAND)
    def set_school_hours(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        slug: OrganisationSlug,
        data: JSONBody[SchoolDay],
    ) -> dict[str, Any]:
        """Steps due "before school starts", "by the end of the school day" or in school days
        at this school count from these hours in playbooks applied from now on (until set:
        08:00 to 15:00). Only a school has hours (else 422)."""
        return organisation_view(
            commands.set_school_hours(accounts, admin, slug, data.start, data.end)
        )

    @delete(
        "/{slug:str}/stand-ins/{role:str}",
        summary="End a partner organisation's stand-in for a playbook role",
        **COMMAND,
    )
    def end_stand_in(
        self,
        accounts: NamedDependency[Accounts],
        admin: NamedDependency[Actor],
        slug: OrganisationSlug,
        role: Annotated[str, in_path(text(64))],
    ) -> dict[str, Any]:
        """Playbooks applied from now on leave that role's tasks with the role; tasks already
        assigned stay assigned."""
        return organisation_view(commands.end_stand_in(accounts, admin, slug, role))


@get(
    "/api/v1/audit/account-changes",
    sync_to_thread=True,
    tags=["audit"],
    guards=[requires(AUDIT)],
    responses=READ_ERRORS,
    summary="Changes to accounts and organisations: who did what to whom, when",
)
def account_changes(
    accounts: NamedDependency[Accounts],
    after: Annotated[int, QueryParameter(ge=0, le=MAX_WHOLE, description="a log position")] = 0,
    limit: Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT)] = 100,
    account: Annotated[
        str | None, in_query(matching(USERNAME_PATTERN.pattern), description="only this username")
    ] = None,
) -> dict[str, Any]:
    """Oldest first. Page on with `after` set to the `last_position` of the answer before."""
    username = checked("account", lambda: check_username(account)) if account else None
    changes = accounts.changes(after, limit, username=username)
    return {
        "changes": changes,
        "last_position": changes[-1]["position"] if changes else after,
    }


ACCOUNT_HANDLERS = [AccountsController, OrganisationsController, account_changes]
