"""The district's schools, as the pages offer them: its organisations of kind school."""

from collections.abc import Iterable

from domain.incident import Incident
from service.accounts.service import Accounts


def district_schools(accounts: Accounts) -> list[str]:
    """The names of the district's schools (its organisations of kind school)."""
    return [o.name for o in accounts.organisations() if o.kind == "school"]


def known_schools(accounts: Accounts, incidents: Iterable[Incident]) -> list[str]:
    """The district's schools, then any other school an incident names."""
    names = dict.fromkeys(district_schools(accounts))
    for incident in incidents:
        names.update(dict.fromkeys(incident.schools))
    return list(names)
