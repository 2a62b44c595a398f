"""Who is signed in, and whether they may do what they ask: sessions, API tokens, CSRF, guards.

Sessions. A browser signs in at /signin and gets a session cookie (AES-GCM encrypted and signed
with a key derived from the store's cipher key) holding the username, a random session id, the
sign-in time and the account's count of ended sessions at that moment. Each request loads the
account again and accepts the cookie only while the account is enabled, the cookie is less than
SESSION_HOURS old (checked here, not only by the browser) and that count still matches. Sign-out,
a new password and disabling record an Account.SessionsEnded event, which raises the count: every
cookie issued before it, copies included, stops working at once, on every instance, because every
instance reads the same account record. Why this rather than Litestar's server-side sessions:
the account's record is already read on every request and already shared by every instance, so
ending sessions needs no new table to encrypt, expire and clean up; the live feed learns of it
from the same event log it follows (web/live/feed.py closes the sockets it ends); and an auditor
sees when sessions were ended and by whom. Nothing about a session is kept at rest on the server but
that event (encrypted with the other events); the cookie itself is encrypted. Ending sessions
ends all of an account's sessions, on every device: that is what a sign-out promises here.

Scripts send ``Authorization: Bearer stdy_...``; such requests use the token alone and need no
CSRF token (a browser never adds that header on its own). Every other unsafe request must carry
the CSRF token from the ``csrftoken`` cookie in the ``X-CSRFToken`` header (or a form's
``_csrf_token``). The token is bound to the session: it is a nonce with an HMAC over the nonce and
the session id, so a token from another session (an attacker's own, planted as a cookie) is
refused, and signing in (a new session id) renews it.
"""

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from secrets import compare_digest
from typing import Any

from litestar import Request
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.datastructures.cookie import Cookie
from litestar.enums import RequestEncodingType
from litestar.exceptions import PermissionDeniedException
from litestar.middleware.csrf import CSRFMiddleware
from litestar.middleware.session.client_side import CookieBackendConfig
from litestar.types import Empty, Message, Receive, Scope, Send
from litestar.utils.scope.state import ScopeState

from domain.account import Account
from domain.errors import DomainError, NotFound
from service.access.need_to_know import Viewer, may_see
from service.access.permissions import ACTIONS, Forbidden, may_update_task, scopes
from service.access.permissions import Scope as Reach
from service.accounts.service import Accounts
from service.accounts.tokens import token_id_of
from service.config import Settings
from service.incidents.application import Steady
from service.store.keys import key_for

SESSION_COOKIE = "steady_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SESSION_HOURS = 12
SIGNED_IN = "steady_account"
CREDENTIAL = "steady_credential"
SESSION_ID_BYTES = 16


@dataclass(frozen=True)
class Credential:
    """What a connection signed in with: an API token (by its public id) or a session (by the
    account's count of ended sessions when it was signed in)."""

    kind: str  # "token" or "session"
    token_id: str = ""
    sessions_ended: int = 0


def credential_holds(account: Account, credential: Credential) -> bool:
    """Whether the credential still signs this account in (REST and the live feed agree)."""
    if account.disabled:
        return False
    if credential.kind == "token":
        issued = account.tokens.get(credential.token_id)
        return issued is not None and issued.active
    return credential.sessions_ended == account.sessions_ended


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
    """Litestar's double-submit CSRF check, with the token bound to the session id; skipped for
    API requests that carry an Authorization header (authenticated by their token alone, never
    by a cookie) or no session cookie at all (nothing to forge: they are refused as not signed
    in). Forms are always checked."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _needs_csrf(scope):
            await self.app(scope, receive, send)
            return
        request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope, receive)
        session_id = _session_id(scope)
        cookie = request.cookies.get(self.config.cookie_name)
        submitted = request.headers.get(self.config.header_name)
        content_type, _ = request.content_type
        if not submitted and content_type in {
            RequestEncodingType.URL_ENCODED,
            RequestEncodingType.MULTI_PART,
        }:
            submitted = (await request.form()).get("_csrf_token")
        state = ScopeState.from_scope(scope)
        if request.method in self.config.safe_methods:
            valid = cookie is not None and self._bound(cookie, session_id)
            token = cookie if valid and cookie else self._token(session_id)
        elif (
            isinstance(submitted, str)
            and cookie is not None
            and compare_digest(submitted, cookie)
            and self._bound(cookie, session_id)
        ):
            token = cookie
        else:
            raise PermissionDeniedException("CSRF token verification failed")
        state.csrf_token = token
        await self.app(scope, receive, self._renewing(send, scope, token, cookie))

    def _token(self, session_id: str) -> str:
        nonce = secrets.token_hex(32)
        return nonce + self._mac(nonce, session_id)

    def _mac(self, nonce: str, session_id: str) -> str:
        message = f"{nonce}:{session_id}".encode()
        return hmac.new(self.config.secret.encode(), message, hashlib.sha256).hexdigest()

    def _bound(self, token: str, session_id: str) -> bool:
        nonce, mac = token[:64], token[64:]
        return len(nonce) == 64 and compare_digest(mac, self._mac(nonce, session_id))

    def _renewing(self, send: Send, scope: Scope, token: str, cookie: str | None) -> Send:
        """Sets the cookie when it is new, and renews it when the handler changed the session
        (a sign-in): a token of the session before never works after it."""

        async def renewing_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                session_id = _session_id(scope, create=False)
                value = token
                if session_id and not self._bound(token, session_id):
                    value = self._token(session_id)
                if value != cookie:
                    cookie_header = Cookie(
                        key=self.config.cookie_name,
                        value=value,
                        path=self.config.cookie_path,
                        secure=self.config.cookie_secure,
                        httponly=self.config.cookie_httponly,
                        samesite=self.config.cookie_samesite,
                        domain=self.config.cookie_domain,
                    ).to_header(header="")
                    message.setdefault("headers", [])
                    MutableScopeHeaders.from_message(message).add("set-cookie", cookie_header)
            await send(message)

        return renewing_send


def _session_id(scope: Scope, *, create: bool = True) -> str:
    """The session's random id; a visitor who has not signed in gets one too, so the sign-in
    form's token is bound as well (and renewed when signing in gives a new id)."""
    session = scope.get("session")
    if not isinstance(session, dict):
        if not create:
            return ""
        session = scope["session"] = {}
    session_id = session.get("sid")
    if isinstance(session_id, str) and session_id:
        return session_id
    if not create:
        return ""
    session["sid"] = session_id = secrets.token_hex(SESSION_ID_BYTES)
    return session_id


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
    state = connection.scope.setdefault("state", {})
    cached = state.get(SIGNED_IN)
    if isinstance(cached, Account):
        return cached
    accounts = accounts_of(connection)
    token = bearer_of(connection.headers)
    account: Account | None
    if token is not None:
        account = accounts.authenticate_token(token, address_of(connection))
        credential = Credential("token", token_id=token_id_of(token) or "")
    else:
        account, credential = _session_account(connection, accounts)
    if account is not None:
        state[SIGNED_IN], state[CREDENTIAL] = account, credential
    return account


def _session_account(
    connection: ASGIConnection, accounts: Accounts
) -> tuple[Account | None, Credential]:
    session = connection.scope.get("session")
    session = session if isinstance(session, dict) else {}
    username, ended, issued = (session.get(k) for k in ("username", "ended", "issued"))
    credential = Credential("session", sessions_ended=ended if isinstance(ended, int) else -1)
    if not (isinstance(username, str) and username):
        return None, credential
    account = None
    fresh = isinstance(issued, int) and 0 <= time.time() - issued < SESSION_HOURS * 3600
    if fresh:
        try:
            account = accounts.account(username)
        except (NotFound, DomainError):
            account = None
    if account is None or not credential_holds(account, credential):
        connection.clear_session()  # ended, expired or disabled: the cookie goes too
        return None, credential
    return account, credential


def credential_of(connection: ASGIConnection) -> Credential | None:
    """What the signed-in account signed in with (after signed_in), for the live feed."""
    credential = connection.scope.get("state", {}).get(CREDENTIAL)
    return credential if isinstance(credential, Credential) else None


def start_session(connection: ASGIConnection, account: Account) -> None:
    """A new session for the account: a new id (so a new CSRF token), and the account's count
    of ended sessions now, which the next SessionsEnded makes stale."""
    connection.clear_session()
    connection.set_session(
        {
            "username": account.username,
            "sid": secrets.token_hex(SESSION_ID_BYTES),
            "ended": account.sessions_ended,
            "issued": int(time.time()),
        }
    )


def end_sessions(connection: ASGIConnection) -> None:
    """Signs out: ends every session of the account signed in by this session (on the server,
    so copies of the cookie stop working too), then forgets this one. A token is not a
    session: signing out with one ends nothing."""
    account = signed_in(connection)
    credential = credential_of(connection)
    if account is not None and credential is not None and credential.kind == "session":
        accounts_of(connection).end_sessions(
            account.username, actor=account.acting_as(), reason="signed out"
        )
    connection.clear_session()


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
