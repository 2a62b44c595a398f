"""The district's schools, as the pages offer them and the API takes them: its organisations of
kind school. An incident names schools from that list, never free text: a misspelt school would
be a school of its own on the board for good, and reach no one of the school it meant."""

from collections.abc import Iterable

from domain.incident import Incident
from service.accounts.service import Accounts
from web.errors import UnknownInput


def district_schools(accounts: Accounts) -> list[str]:
    """The names of the district's schools (its organisations of kind school)."""
    return [o.name for o in accounts.organisations() if o.kind == "school"]


def known_schools(accounts: Accounts, incidents: Iterable[Incident]) -> list[str]:
    """The schools the board filters by: the district's; only while it has recorded none, the
    schools its incidents name."""
    names = district_schools(accounts)
    if names:
        return names
    return list(dict.fromkeys(s for incident in incidents for s in incident.schools))


def chosen_schools(accounts: Accounts, schools: list[str]) -> list[str]:
    """The district's schools these name (by name, in any case, or by id), as their names; a
    404 naming the field and listing the district's schools for any other. A district that has
    recorded no school yet (a new install, before `steady orgs add ... --kind school`) takes
    the names as given."""
    known = [o for o in accounts.organisations() if o.kind == "school"]
    if not known:
        return schools
    by_key = {}
    for school in known:
        by_key[school.name.casefold()] = school.name
        by_key[school.slug] = school.name
    chosen: list[str] = []
    for school in schools:
        name = by_key.get(" ".join(school.split()).casefold())
        if name is None:
            listed = ", ".join(s.name for s in known)
            raise UnknownInput(
                f"{school!r} is not one of the district's schools: choose from {listed}",
                "schools",
            )
        if name not in chosen:
            chosen.append(name)
    return chosen
