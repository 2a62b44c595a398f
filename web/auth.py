"""Who is signed in, and whether they may do what they ask: sessions, API tokens, CSRF, guards.

A browser signs in at /signin and gets a client-side session cookie (encrypted and signed with
a key derived from the store's cipher key) that holds the username only: each request loads the
account again, so a disabled account is refused at once. Scripts send
``Authorization: Bearer stdy_...``; such requests use the token alone and need no CSRF token (a
browser never adds that header on its own). Every other unsafe request must carry the CSRF
token from the ``csrftoken`` cookie in the ``X-CSRFToken`` header (or a form's ``_csrf_token``).
"""

import hashlib
import hmac
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from domain.account import Account
from domain.errors import DomainError, NotFound
from service.accounts import Accounts
from service.application import Steady
from service.config import Settings
from service.keys import key_for
from service.need_to_know import Viewer, may_see
from service.permissions import ACTIONS, Forbidden, may_update_task, scopes
from service.permissions import Scope as Reach

SESSION_COOKIE = "steady_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SESSION_HOURS = 12
SIGNED_IN = "steady_account"


class NotSignedIn(Exception):
    """No credentials, or credentials that no longer name an enabled account."""


def derived_secret(settings: Settings, label: str) -> bytes:
    """A 32-byte secret for one purpose, derived from the store's cipher key (HKDF-style)."""
    key = key_for(settings).encode()
    extracted = hmac.new(b"steady-web", key, hashlib.sha256).digest()
    return hmac.new(extracted, label.encode() + b"\x01", hashlib.sha256).digest()


def session_config(settings: Settings) -> CookieBackendConfig:
    return CookieBackendConfig(
        secret=derived_secret(settings, "session cookie"),
        key=SESSION_COOKIE,
        max_age=SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
    )


def csrf_config(settings: Settings) -> CSRFConfig:
    return CSRFConfig(
        secret=derived_secret(settings, "csrf token").hex(),
        cookie_name=CSRF_COOKIE,
        header_name=CSRF_HEADER,
        cookie_httponly=False,  # the pages' script reads it to send it back in the header
        cookie_samesite="lax",
    )


def bearer_of(headers: Any) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else value


class BearerAwareCSRF(CSRFMiddleware):
    """Litestar's CSRF middleware, except for API requests that carry an Authorization header
    (authenticated by their token alone, never by a cookie) or no session cookie at all
    (nothing to forge: they are refused as not signed in). Forms are always checked."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _needs_csrf(scope):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _needs_csrf(scope: Scope) -> bool:
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    if b"authorization" in headers:
        return False
    if scope.get("path", "").startswith("/api/"):
        return SESSION_COOKIE.encode() in headers.get(b"cookie", b"")
    return True


async def secure_cookies_over_https(message: Message, scope: Scope) -> None:
    """Marks every cookie Secure when the request came over https."""
    if message["type"] != "http.response.start" or scope.get("scheme") != "https":
        return
    headers = MutableScopeHeaders.from_message(message)
    cookies = headers.getall("set-cookie", [])
    if not cookies:
        return
    del headers["set-cookie"]
    for cookie in cookies:
        headers.add("set-cookie", cookie if "secure" in cookie.lower() else f"{cookie}; Secure")


def csrf_token_of(connection: ASGIConnection) -> str:
    """The CSRF token for this page's forms (the same value as the csrftoken cookie)."""
    token = ScopeState.from_scope(connection.scope).csrf_token
    return "" if token is Empty else str(token)


def accounts_of(connection: ASGIConnection) -> Accounts:
    return connection.app.state.accounts


def address_of(connection: ASGIConnection) -> str | None:
    return connection.client.host if connection.client else None


def signed_in(connection: ASGIConnection) -> Account | None:
    """The enabled account behind this request's token or session, or None.

    A wrong or revoked token raises SignInFailed (401); too many of them, SignInLocked."""
    cached = connection.scope.get("state", {}).get(SIGNED_IN)
    if isinstance(cached, Account):
        return cached
    accounts = accounts_of(connection)
    token = bearer_of(connection.headers)
    account: Account | None
    if token is not None:
        account = accounts.authenticate_token(token, address_of(connection))
    else:
        session = connection.scope.get("session")
        username = session.get("username") if isinstance(session, dict) else None
        account = None
        if isinstance(username, str) and username:
            try:
                account = accounts.account(username)
            except (NotFound, DomainError):
                account = None
            if account is not None and account.disabled:
                account = None
            if account is None:
                connection.clear_session()
    if account is not None:
        connection.scope.setdefault("state", {})[SIGNED_IN] = account
    return account


def account_of(connection: ASGIConnection) -> Account:
    account = signed_in(connection)
    if account is None:
        raise NotSignedIn(
            "sign in first: send Authorization: Bearer <token> (`steady users token USERNAME` "
            "makes one), or sign in at /signin"
        )
    return account


def forbidden(action: str) -> Forbidden:
    return Forbidden(f"your role may not {action} ({ACTIONS[action]})")


def sees_incidents(account: Account) -> bool:
    """Whether the person sees incidents as the district's people do (some or all of them,
    whole), rather than only a partner's share of those shared with their organisation."""
    return bool(scopes(account.roles, "view_incident") - {Reach.SHARED}) and not account.disabled


def partner_organisation(account: Account) -> str | None:
    """The organisation whose shares bound what this person sees, if they see only those."""
    if sees_incidents(account) or not scopes(account.roles, "view_incident"):
        return None
    return account.organisation


VIEWER = "steady_viewer"


def viewer_of(connection: ASGIConnection, account: Account) -> Viewer:
    """The account as the need-to-know rule sees it, worked out once per request."""
    state = connection.scope.setdefault("state", {})
    cached = state.get(VIEWER)
    if isinstance(cached, Viewer) and cached.username == account.username:
        return cached
    viewer = connection.app.state.school_names.viewer(account)
    state[VIEWER] = viewer
    return viewer


def steady_of(connection: ASGIConnection) -> Steady:
    return connection.app.state.steady


def hidden(account: Account, ref: str, connection: ASGIConnection) -> NotFound | None:
    """404 rather than 403 for someone who may see incidents but not this one (another
    school's, a confidential case they are not on, one not shared with their partner
    organisation): whether an incident exists is itself not theirs to know. Someone who may
    see no incident at all (an admin) is left to the 403 of the action."""
    viewer = viewer_of(connection, account)
    if not viewer.reach or viewer.every_case:
        return None
    missing = NotFound(f"there is no incident {ref}")
    try:
        incident = steady_of(connection).current(ref)
    except (NotFound, DomainError):
        return missing
    return None if may_see(viewer, incident) else missing


def allow(request: Request, action: str, *, ref: str | None = None) -> Account:
    """The signed-in account, if it may take the action (on the incident `ref`, if given)."""
    account = account_of(request)
    if ref is not None:
        missing = hidden(account, ref, request)
        if missing is not None:
            raise missing
    if account.disabled or not scopes(account.roles, action):
        raise forbidden(action)
    return account


def allow_task_update(request: Request, ref: str, task_id: str) -> Account:
    account = allow(request, "update_task", ref=ref)
    if Reach.ALL in scopes(account.roles, "update_task"):
        return account
    task = steady_of(request).current(ref).task(task_id)
    assignee = task.assignee
    if not may_update_task(
        account,
        owner_role=task.owner_role,
        assignee_kind=assignee.kind if assignee else "",
        assignee=assignee.name if assignee else "",
    ):
        if partner_organisation(account) is not None:
            raise NotFound(f"{ref} has no task {task_id!r}")  # not theirs to know of
        raise Forbidden(
            f"your role may not update_task {task_id}: it is not one of yours "
            f"(it belongs to {task.owner_role})"
        )
    return account


def allow_note_correction(request: Request, ref: str, note_id: str) -> Account:
    account = allow(request, "correct_note", ref=ref)
    if Reach.ALL in scopes(account.roles, "correct_note"):
        return account
    note = steady_of(request).current(ref).notes.get(note_id)
    organisation = partner_organisation(account)
    if note is None or (organisation is not None and organisation not in note.shared_with):
        raise NotFound(f"{ref} has no note {note_id}")
    if note.by.user != account.username:
        raise Forbidden(f"your role may not correct_note {note_id}: you may correct only yours")
    return account


def abilities(account: Account | None) -> dict[str, bool]:
    """What the person may do, action by action, for the pages to show only those controls."""
    if account is None or account.disabled:
        return dict.fromkeys(ACTIONS, False)
    return {action: bool(scopes(account.roles, action)) for action in ACTIONS}
