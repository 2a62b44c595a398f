"""Who a task can be assigned to: the people, positions and partner organisations Steady knows.

The incident page offers exactly these, and the API refuses anything else with the list of what
there is: a task assigned to a misspelt name ("k.okafro", "counsellor") would reach nobody."""

from dataclasses import dataclass

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.people import ASSIGNEE_KINDS
from service.access.permissions import scopes
from service.accounts.service import Accounts
from service.sharing.partners import partner_named

MAX_LISTED = 30  # a refusal lists this many choices, then says how many more there are


@dataclass(frozen=True)
class Choice:
    kind: str  # person, role or partner
    name: str  # what the assignment records: a username, a position's id, an organisation's id
    label: str  # what people read


def people(accounts: Accounts) -> list[Choice]:
    """Enabled district accounts whose roles let them update a task assigned to them. A partner's
    people are reached through their organisation, never one by one."""
    partners = {o.slug for o in accounts.organisations() if o.is_partner}
    return [
        Choice("person", a.username, f"{a.display_name} ({a.username})")
        for a in accounts.list_users()
        if takes_tasks(a, partners)
    ]


def takes_tasks(account: Account, partners: set[str]) -> bool:
    return (
        not account.disabled
        and account.organisation not in partners
        and "partner" not in account.roles
        and bool(scopes(account.roles, "update_task"))
    )


def positions(accounts: Accounts) -> list[Choice]:
    """The playbooks' roles, and any other position someone holds."""
    titles = accounts.playbook_roles()
    for account in accounts.list_users():
        for position in account.positions:
            titles.setdefault(position, position)
    return [
        Choice("role", role, f"{title} ({role})" if title != role else role)
        for role, title in sorted(titles.items(), key=lambda item: item[1].casefold())
    ]


def partner_organisations(accounts: Accounts) -> list[Choice]:
    return [Choice("partner", o.slug, o.name) for o in accounts.organisations() if o.is_partner]


def assignee_choices(accounts: Accounts) -> dict[str, list[Choice]]:
    return {
        "person": people(accounts),
        "role": positions(accounts),
        "partner": partner_organisations(accounts),
    }


def assignee_named(accounts: Accounts, kind: str, name: str) -> str:
    """The name to record for an assignment, if it is one of the choices; NotFound listing
    them if not."""
    if kind not in ASSIGNEE_KINDS:
        raise DomainError(
            f"cannot assign to a {kind!r}: assign to one of {', '.join(ASSIGNEE_KINDS)}"
        )
    if kind == "partner":
        return partner_named(accounts, name).slug
    wanted = name.strip().lower()
    # The likely answers first, without reading every account.
    if kind == "person":
        try:
            account = accounts.account(wanted)
        except (NotFound, DomainError):
            account = None
        partners = {o.slug for o in accounts.organisations() if o.is_partner}
        if account is not None and takes_tasks(account, partners):
            return account.username
        raise NotFound(
            f"there is no one who can take a task called {name!r}: "
            f"choose one of {listed(people(accounts))}"
        )
    if wanted in accounts.playbook_roles():
        return wanted
    choices = positions(accounts)
    if any(choice.name == wanted for choice in choices):
        return wanted
    raise NotFound(f"there is no position {name!r}: choose one of {listed(choices)}")


def listed(choices: list[Choice]) -> str:
    if not choices:
        return "(none yet)"
    shown = ", ".join(c.name for c in choices[:MAX_LISTED])
    more = len(choices) - MAX_LISTED
    return f"{shown} and {more} more" if more > 0 else shown
