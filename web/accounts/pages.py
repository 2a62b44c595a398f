"""The admin's accounts page: every account at a glance, with the forms that add an account or an
organisation and let a partner stand in for a playbook role; one account's page is
web/accounts/account_page.py, and what both share is web/accounts/forms.py."""

from typing import Annotated, Any

from litestar import Controller, Response, get, post
from litestar.di import NamedDependency
from litestar.params import QueryParameter

from domain.credentials import MIN_PASSWORD
from domain.errors import DomainError, NotFound
from domain.organisation import ORGANISATION_KINDS
from domain.people import Actor
from domain.roles import ROLES
from web.access.guards import requires
from web.accounts import commands as commands
from web.accounts.account_page import AccountPage
from web.accounts.api import ACCOUNT_HANDLERS, ADMIN, MANAGE
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
)
from web.errors import BadInput
from web.rendering import context, page

ORGANISATION_KIND_LABELS = {
    "district": "District",
    "school": "School",
    "partner": "Community partner",
}


def matches(row: dict[str, Any], query: str) -> bool:
    wanted = query.casefold()
    haystack = [row["username"], row["display_name"], row["organisation"], row["organisation_name"]]
    return any(wanted in value.casefold() for value in [*haystack, *row["roles"]])


def accounts_page_context(
    visit: Visit,
    *,
    query: str = "",
    error: dict[str, str] | None = None,
    entered: dict[str, Any] | None = None,
) -> dict[str, Any]:
    request, accounts = visit.request, visit.accounts
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
                "kind_label": ORGANISATION_KIND_LABELS[o.kind],
                "stands_in": [{"id": r, "title": playbook_roles.get(r, r)} for r in o.stands_in],
                "hours": str(o.school_hours) if o.kind == "school" else "",
                "start": f"{o.school_hours.start:%H:%M}",
                "end": f"{o.school_hours.end:%H:%M}",
            }
            for o in organisations
        ],
        schools=[{"slug": o.slug, "name": o.name} for o in organisations if o.kind == "school"],
        partners=[{"slug": o.slug, "name": o.name} for o in organisations if o.is_partner],
        playbook_roles=[{"id": r, "title": t} for r, t in sorted(playbook_roles.items())],
        organisation_kinds=[
            {"value": k, "label": ORGANISATION_KIND_LABELS[k], "hint": sentence(hint)}
            for k, hint in ORGANISATION_KINDS.items()
        ],
        roles=[
            {"value": r, "label": role_name(r), "hint": sentence(hint)} for r, hint in ROLES.items()
        ],
        known_positions=known_positions(visit.steady),
        min_password=MIN_PASSWORD,
    )


class AccountsPages(Controller):
    """One controller, because Litestar registers the handlers that share a path together: as
    separate functions, a GET and a POST on /admin/accounts would each wrap the other's
    thread-runner again on registration, and the GET would answer with an unawaited coroutine."""

    path = "/admin"
    guards = [requires(MANAGE)]
    dependencies = {**ADMIN, **VISIT}
    include_in_schema = False

    @get("/accounts", name="admin_accounts", sync_to_thread=True)
    def accounts_page(
        self,
        visit: NamedDependency[Visit],
        q: Annotated[str | None, QueryParameter(name="q")] = None,
    ) -> Response:
        query = (q or "").strip()[:100]
        return page("admin_accounts.html", accounts_page_context(visit, query=query))

    @post("/accounts", name="admin_add_account", sync_to_thread=True)
    def add_account(
        self, visit: NamedDependency[Visit], admin: NamedDependency[Actor], data: Form
    ) -> Response:
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
                visit.accounts,
                admin,
                username=entered["username"],
                display_name=entered["display_name"],
                organisation=entered["organisation"],
                roles=entered["roles"],
                positions=positions_in(entered["positions"]),
                password=password or None,  # none: the account acts only through API tokens
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("add-account", error, taken="username")
            ctx = accounts_page_context(visit, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        how = (
            "They can sign in with the password you set; give it to them in person or by phone."
            if password
            else "It has no password: it can act only through API tokens you issue below."
        )
        message = f"Added {account.username}. {how}"
        return back_with(visit.request, account_href(account.username), message)

    @post("/organisations", name="admin_add_organisation", sync_to_thread=True)
    def add_organisation(
        self, visit: NamedDependency[Visit], admin: NamedDependency[Actor], data: Form
    ) -> Response:
        entered = {
            "slug": text(data, "slug").strip(),
            "name": text(data, "name").strip(),
            "kind": text(data, "kind"),
        }
        try:
            organisation = commands.add_organisation(
                visit.accounts, admin, entered["slug"], entered["name"], entered["kind"]
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("add-organisation", error, taken="slug")
            ctx = accounts_page_context(visit, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        message = f"Added the organisation {organisation.name} ({organisation.slug})."
        return back_with(visit.request, "/admin/accounts#organisations", message)

    @post("/organisations/stand-ins", name="admin_stand_in", sync_to_thread=True)
    def stand_in(self, visit: NamedDependency[Visit], data: Form) -> Response:
        actor = visit.signed_in_as.acting_as("admin")  # without a token id, unlike the other forms
        entered = {"slug": text(data, "slug"), "role": text(data, "role")}
        try:
            organisation = commands.stand_in(
                visit.accounts, actor, entered["slug"], entered["role"]
            )
        except (DomainError, BadInput) as error:
            if isinstance(error, NotFound):  # an organisation not offered: say so by the field
                error = BadInput(str(error), "slug")
            shown, status = refusal("stand-in", error)
            ctx = accounts_page_context(visit, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        role = visit.accounts.playbook_roles().get(entered["role"].strip().lower(), entered["role"])
        message = (
            f"{organisation.name} stands in for {role}: playbooks applied from now on assign "
            "it that role's tasks and share the incident with it."
        )
        return back_with(visit.request, "/admin/accounts#stand-ins", message)

    @post("/organisations/school-hours", name="admin_school_hours", sync_to_thread=True)
    def school_hours(
        self, visit: NamedDependency[Visit], admin: NamedDependency[Actor], data: Form
    ) -> Response:
        entered = {key: text(data, key).strip() for key in ("slug", "start", "end")}
        try:
            organisation = commands.set_school_hours(
                visit.accounts, admin, entered["slug"], entered["start"], entered["end"]
            )
        except (DomainError, BadInput) as error:
            if isinstance(error, NotFound):  # a school not offered: say so by the field
                error = BadInput(str(error), "slug")
            shown, status = refusal("school-hours", error)
            ctx = accounts_page_context(visit, error=shown, entered=entered)
            return page("admin_accounts.html", ctx, status)
        message = (
            f"{organisation.name}'s school day is {organisation.school_hours}: playbooks applied "
            "from now on count its steps due before or by the end of school from these hours."
        )
        return back_with(visit.request, "/admin/accounts#school-hours", message)

    @post("/organisations/stand-ins/end", name="admin_end_stand_in", sync_to_thread=True)
    def end_stand_in(self, visit: NamedDependency[Visit], data: Form) -> Response:
        actor = visit.signed_in_as.acting_as("admin")  # without a token id, unlike the other forms
        entered = {"slug": text(data, "slug"), "role": text(data, "role")}
        try:
            organisation = commands.end_stand_in(
                visit.accounts, actor, entered["slug"], entered["role"]
            )
        except (DomainError, BadInput) as error:
            shown, status = refusal("end-stand-in", error)
            ctx = accounts_page_context(visit, error=shown)
            return page("admin_accounts.html", ctx, status)
        message = (
            f"{organisation.name} no longer stands in for {entered['role']}; tasks it already "
            "has stay assigned to it."
        )
        return back_with(visit.request, "/admin/accounts#stand-ins", message)


# Everything web/app.py registers for accounts: the JSON API and these pages.
ADMIN_HANDLERS = [*ACCOUNT_HANDLERS, AccountsPages, AccountPage]
