"""What a person may do in Steady: the permission roles an account holds, and the positions
(school-team jobs) that decide which playbook tasks a responder may update."""

import re

from domain.errors import DomainError

ROLES: dict[str, str] = {
    "admin": "manages accounts, roles and API tokens",
    "crisis-lead": "opens, closes and reopens incidents, applies playbooks, assigns tasks",
    "responder": "updates the tasks of their position or assigned to them, adds notes",
    "district-leader": "sees every incident; writes nothing but notes",
    "partner": "sees only what is shared with their organisation; updates its tasks",
    "auditor": "reads everything, including replay, timelines and exports; changes nothing",
    "help-desk": (
        "works the help requests queue: acknowledges, writes to reporters, routes needs to "
        "partners, converts reports, closes"
    ),
}
PARTNER_ROLE = "partner"
ADMIN_ROLE = "admin"
POSITION_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def check_role(role: object) -> str:
    if role not in ROLES:
        raise DomainError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return str(role)


def check_roles(roles: object) -> list[str]:
    if isinstance(roles, str) or not isinstance(roles, list | tuple | set | frozenset):
        raise DomainError(f"roles must be a list of roles from: {', '.join(ROLES)}")
    checked = {check_role(r) for r in roles}
    if not checked:
        raise DomainError(f"give the account at least one role: {', '.join(ROLES)}")
    return [r for r in ROLES if r in checked]


def check_positions(positions: object) -> list[str]:
    """Positions are the school-team jobs a person covers (counselor, principal, ...): the owner
    roles of playbook steps, which decide which tasks a responder may update."""
    if isinstance(positions, str) or not isinstance(positions, list | tuple | set | frozenset):
        raise DomainError("positions must be a list, such as ['counselor']")
    checked: list[str] = []
    for position in positions:
        value = position.strip().lower() if isinstance(position, str) else ""
        if not POSITION_PATTERN.match(value) or len(value) > 64:
            raise DomainError(
                f"position {position!r} is not valid: use lowercase words joined by hyphens, "
                "such as counselor or school-psychologist"
            )
        if value not in checked:
            checked.append(value)
    return checked


def check_roles_fit_organisation(roles: list[str], organisation_kind: str) -> None:
    """A partner account belongs to a partner organisation, and a partner organisation's people
    hold only the partner role: otherwise an agency's staff could see the whole district."""
    if organisation_kind == "partner":
        others = [r for r in roles if r != PARTNER_ROLE]
        if others:
            raise DomainError(
                f"people of a partner organisation hold only the partner role, not "
                f"{', '.join(others)}; add a district or school account for that work"
            )
    elif PARTNER_ROLE in roles:
        raise DomainError(
            f"the partner role is for people of a partner organisation, not a {organisation_kind}"
            "; create the account in the partner's organisation"
        )
