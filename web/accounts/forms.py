"""What the admin's account pages and each person's token page share: reading a posted form,
drawing a refusal beside the field it is about (or the form as a whole), the one-off
confirmation a redirect carries in the session, and how accounts, roles and tokens are shown.

Plain HTML forms that work without JavaScript: each POST carries the CSRF token, goes through
the same commands as the JSON API (web/accounts/commands.py), and redirects back with a one-off
confirmation kept in the session; a refusal draws the form again with what was wrong, how to
fix it, and what was typed (never a password).
"""

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Redirect
from litestar.status_codes import (
    HTTP_303_SEE_OTHER,
    HTTP_400_BAD_REQUEST,
    HTTP_403_FORBIDDEN,
    HTTP_409_CONFLICT,
    HTTP_422_UNPROCESSABLE_ENTITY,
)

from domain.account import Account
from domain.errors import Conflict, DomainError
from domain.roles import ROLES
from service.access.permissions import Forbidden
from service.accounts.service import Accounts, account_view
from service.incidents.application import Steady
from web.errors import BadInput
from web.rendering import format_time, role_label, role_titles

FLASH = "admin_flash"
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
ROLE_LABELS = {
    "admin": "Account administrator",
    "crisis-lead": "Crisis team lead",
    "responder": "Responder (school team)",
    "district-leader": "District leader",
    "partner": "Community partner",
    "auditor": "Auditor (reads only)",
    "help-desk": "Help desk (help requests)",
}
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
    "school-hours": {"slug": "hours-school", "start": "hours-start", "end": "hours-end"},
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
    "school-hours": "school-hours",
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


@dataclass(frozen=True)
class Visit:
    """One visit to an accounts page: the request (for the page and its one-off confirmation),
    the accounts, the application (the playbooks' positions, the clock), the district's zone
    and who is signed in."""

    request: Request
    accounts: Accounts
    steady: Steady
    zone: ZoneInfo
    signed_in_as: Account


def provide_visit(
    request: Request,
    accounts: NamedDependency[Accounts],
    steady: NamedDependency[Steady],
    zone: NamedDependency[ZoneInfo],
    signed_in_as: NamedDependency[Account],
) -> Visit:
    return Visit(request, accounts, steady, zone, signed_in_as)


# The `visit` dependency of the accounts pages.
VISIT = {"visit": Provide(provide_visit, sync_to_thread=False)}


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


def known_positions(steady: Steady) -> list[dict[str, str]]:
    """The playbook roles a responder can hold as positions (not the access roles)."""
    return [
        {"value": value, "label": label}
        for value, label in role_titles(steady).items()
        if value not in ROLES
    ]


def token_rows(tokens: list[dict[str, Any]], zone: ZoneInfo, now: datetime) -> list[dict[str, Any]]:
    """An account's API tokens for a page: active ones first, each oldest first, with the times
    they were issued and revoked as the district reads them."""
    rows = [
        {
            **t,
            "issued": format_time(t["issued_at"], zone, now),
            "revoked": format_time(t["revoked_at"], zone, now),
        }
        for t in tokens
    ]
    rows.sort(key=lambda t: (t["revoked_at"] is not None, t["issued_at"]))
    return rows
