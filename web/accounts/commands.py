"""The account commands the JSON API and the admin pages share: each input is checked field by
field, so a malformed one is a BadInput (400) naming the field, before the service is asked (an
organisation or school there is none of is an UnknownInput: 404); the rules of the domain (the
last admin, a partner's roles) stay DomainErrors (422).
"""

from collections.abc import Callable
from typing import Any, TypeVar

from domain.account import MAX_LABEL, TOKEN_ID_PATTERN, Account
from domain.credentials import check_password, check_username
from domain.email_address import check_email
from domain.errors import DomainError, NotFound
from domain.organisation import MAX_NAME, Organisation, check_organisation_kind, check_slug
from domain.people import Actor
from domain.roles import check_positions, check_role, check_roles
from domain.school_days import parse_clock
from domain.text import check_text
from service.accounts.service import Accounts
from web.errors import BadInput, RefusedInput, UnknownInput

T = TypeVar("T")
MAX_REASON = 500
SHOWN_ONCE = "This token is shown only now: store it in your secret store. Steady keeps its digest."


def checked(name: str, check: Callable[[], T]) -> T:
    """A domain check of one input, its refusal turned into a 400 naming the field."""
    try:
        return check()
    except DomainError as error:
        raise BadInput(str(error), name) from None


def existing_organisation(accounts: Accounts, slug: str) -> str:
    slug = checked("organisation", lambda: check_slug(slug))
    try:
        return accounts.organisation(slug).slug
    except NotFound:
        known = ", ".join(o.slug for o in accounts.organisations()) or "none yet"
        raise UnknownInput(
            f"there is no organisation {slug!r}: choose one of {known}, or add it first",
            "organisation",
        ) from None


def add_account(
    accounts: Accounts,
    actor: Actor,
    *,
    username: str,
    display_name: str,
    organisation: str,
    roles: list[str],
    positions: list[str],
    password: str | None,
) -> Account:
    name = checked("username", lambda: check_username(username))
    checked("display_name", lambda: check_text("display name", display_name, limit=MAX_NAME))
    slug = existing_organisation(accounts, organisation)
    checked("roles", lambda: check_roles(roles))
    checked("positions", lambda: check_positions(positions))
    if password is not None:
        checked("password", lambda: check_password(password, name))
    return accounts.add_user(
        name,
        display_name=display_name,
        organisation=slug,
        roles=roles,
        positions=positions,
        password=password,
        actor=actor,
    )


def grant_role(accounts: Accounts, actor: Actor, username: str, role: str) -> Account:
    return accounts.grant_role(username, checked("role", lambda: check_role(role)), actor=actor)


def revoke_role(accounts: Accounts, actor: Actor, username: str, role: str) -> Account:
    return accounts.revoke_role(username, checked("role", lambda: check_role(role)), actor=actor)


def set_positions(accounts: Accounts, actor: Actor, username: str, positions: list[str]) -> Account:
    checked("positions", lambda: check_positions(positions))
    return accounts.set_positions(username, positions, actor=actor)


def set_email(accounts: Accounts, actor: Actor, username: str, email: str) -> Account:
    checked("email", lambda: check_email(email, required=False))
    return accounts.set_email(username, email, actor=actor)


def set_schools(accounts: Accounts, actor: Actor, username: str, schools: list[str]) -> Account:
    if isinstance(schools, str) or not isinstance(schools, list):
        raise BadInput(
            "schools must be a list of school ids, such as ['lincoln-elementary']", "schools"
        )
    for school in schools:
        slug = checked("schools", lambda school=school: check_slug(school))
        try:
            accounts.school(slug)
        except NotFound:
            known = ", ".join(o.slug for o in accounts.organisations() if o.kind == "school")
            raise UnknownInput(
                f"there is no school {slug!r}: choose from {known or 'none yet'}", "schools"
            ) from None
        except DomainError as error:  # an organisation, but not a school
            raise RefusedInput(str(error), "schools") from None
    return accounts.set_schools(username, schools, actor=actor)


def set_password(accounts: Accounts, actor: Actor, username: str, password: str) -> Account:
    name = accounts.account(username).username
    checked("password", lambda: check_password(password, name))
    return accounts.set_password(username, password, actor=actor)


def disable(accounts: Accounts, actor: Actor, username: str, reason: str) -> Account:
    checked(
        "reason",
        lambda: check_text("reason", reason, limit=MAX_REASON, required=False, multiline=True),
    )
    return accounts.disable(username, reason=reason, actor=actor)


def issue_token(accounts: Accounts, actor: Actor, username: str, label: str) -> dict[str, Any]:
    """The new token, shown once, with its public id and label."""
    label = checked("label", lambda: check_text("token label", label, limit=MAX_LABEL))
    token = accounts.issue_token(username, label, actor=actor)
    token_id = token.split("_")[1]
    return {"token": token, "token_id": token_id, "label": label, "note": SHOWN_ONCE}


def revoke_token(accounts: Accounts, actor: Actor, username: str, token_id: str) -> Account:
    if not TOKEN_ID_PATTERN.match(token_id or ""):
        raise BadInput(
            f"{token_id!r} is not a token id: use the 12-character id from the account's tokens",
            "token_id",
        )
    return accounts.revoke_token(username, token_id, actor=actor)


def add_organisation(
    accounts: Accounts, actor: Actor, slug: str, name: str, kind: str
) -> Organisation:
    checked("slug", lambda: check_slug(slug))
    checked("name", lambda: check_text("organisation name", name, limit=MAX_NAME))
    checked("kind", lambda: check_organisation_kind(kind))
    return accounts.add_organisation(slug, name, kind, actor=actor)


def stand_in(accounts: Accounts, actor: Actor, slug: str, role: str) -> Organisation:
    """An unknown role or an organisation that is not a partner is a rule of the domain (422),
    its refusal naming the roles there are."""
    slug = checked("slug", lambda: check_slug(slug))
    role = checked("role", lambda: check_text("role", role, limit=64))
    return accounts.stand_in(slug, role, actor=actor)


def set_school_hours(
    accounts: Accounts, actor: Actor, slug: str, start: str, end: str
) -> Organisation:
    """Times that are not HH:MM say so by their field (400); an end before the start, or an
    organisation that is not a school, is a rule of the domain (422)."""
    slug = checked("slug", lambda: check_slug(slug))
    checked("start", lambda: parse_clock("start time", start))
    checked("end", lambda: parse_clock("end time", end))
    return accounts.set_school_hours(slug, start, end, actor=actor)


def end_stand_in(accounts: Accounts, actor: Actor, slug: str, role: str) -> Organisation:
    slug = checked("slug", lambda: check_slug(slug))
    role = checked("role", lambda: check_text("role", role, limit=64))
    return accounts.end_stand_in(slug, role, actor=actor)
