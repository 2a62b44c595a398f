"""What the incident page shows about sharing: to a partner, whose share they are looking at;
to the crisis lead, the partners the incident may still be shared with."""

from domain.account import Account
from domain.errors import DomainError, NotFound
from domain.incident import Incident
from service.access.permissions import scopes
from service.accounts.service import Accounts
from web.access.auth import partner_organisation


def partner_of_page(accounts: Accounts, account: Account) -> dict[str, str] | None:
    """The partner organisation the person views the incident for, or None for district staff."""
    organisation = partner_organisation(account)
    if organisation is None:
        return None
    try:
        name = accounts.organisation(organisation).name
    except (NotFound, DomainError):  # the account names it; the page must not fail over a label
        name = organisation
    return {"id": organisation, "name": name}


def share_options(accounts: Accounts, account: Account, incident: Incident) -> list[dict[str, str]]:
    """Partner organisations the person may share the incident with now (none are offered to
    someone who may not share)."""
    if not scopes(account.roles, "share_incident") or account.disabled or incident.closed:
        return []
    return [
        {"id": o.slug, "name": o.name}
        for o in accounts.organisations()
        if o.is_partner and o.slug not in incident.shares
    ]
