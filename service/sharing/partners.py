"""Partner organisations as incidents name them: a task assigned to a partner, or an incident
shared with one, names an organisation Steady knows, by its id, so the partner's people can see
it. Free text ("the counseling people") would reach nobody."""

from domain.errors import DomainError, NotFound
from domain.organisation import Organisation
from service.accounts.service import Accounts


def partner_named(accounts: Accounts, name: str) -> Organisation:
    """The partner organisation with this id or this name (either case); a clear error if
    there is none, listing the partners there are."""
    wanted = name.strip().casefold()
    partners = [o for o in accounts.organisations() if o.is_partner]
    for organisation in partners:
        if wanted in (organisation.slug, organisation.name.casefold()):
            return organisation
    if any(o.slug == wanted for o in accounts.organisations()):
        raise DomainError(f"{name!r} is not a partner organisation; share only with partners")
    known = ", ".join(f"{o.slug} ({o.name})" for o in partners) or "none yet"
    raise NotFound(
        f"there is no partner organisation {name!r}: use one of {known}, "
        "or ask an admin to add it (Accounts, then Organisations)"
    )
