"""How a browser or a script signs in: session cookies, API tokens in the Authorization header,
and CSRF tokens bound to the session.

Sessions. A browser signs in at /signin and gets a session cookie (AES-GCM encrypted and signed
with a key derived from the store's cipher key) holding the username, a random session id, the
sign-in time and the account's count of ended sessions at that moment. Each request loads the
account again and accepts the cookie only while the account is enabled, the cookie is less than
SESSION_HOURS old (checked here, not only by the browser) and that count still matches. Sign-out, a
new password and disabling record an Account.SessionsEnded event, which raises the count: every
cookie issued before it, copies included, stops working at once, on every instance, because every
instance reads the same account record. Why this rather than Litestar's server-side sessions: the
account's record is already read on every request and already shared by every instance, so ending
sessions needs no new table to encrypt, expire and clean up; the live feed learns of it from the
same event log it follows (web/live/revocation.py closes the sockets it ends); and an auditor sees
when sessions were ended and by whom. Nothing about a session is kept at rest on the server but
that event (encrypted with the other events); the cookie itself is encrypted. Ending sessions ends
all of an account's sessions, on every device: that is what a sign-out promises here.

Scripts send ``Authorization: Bearer stdy_...``; such requests use the token alone and need no
CSRF token (a browser never adds that header on its own). Every other unsafe request must carry
the CSRF token from the ``csrftoken`` cookie in the ``X-CSRFToken`` header (or a form's
``_csrf_token``). The token is bound to the session: it is a nonce with an HMAC over the nonce and
the session id, so a token from another session (an attacker's own, planted as a cookie) is
refused, and signing in (a new session id) renews it.

Pages are compressed (gzip), which opens them to BREACH: an attacker who can make a browser
send many requests and watch the compressed sizes can guess a secret in the body a character at
a time when their own text is reflected beside it. The token is the secret a page carries, so a
page never carries it as it is: each response holds the token masked with a fresh random pad
(``masked_token``, as Django does), and a form's masked token is unmasked before it is compared
with the cookie. The pad changes every response, so the compressed size tells nothing of the
token. (What else is done against BREACH: docs/architecture.md, "Compression".)
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
from service.accounts.service import Accounts
from service.config import Settings
from service.store.keys import key_for

SESSION_COOKIE = "steady_session"
CSRF_COOKIE = "csrftoken"
CSRF_HEADER = "x-csrftoken"
SESSION_HOURS = 12
SESSION_ID_BYTES = 16
TOKEN_BYTES = 64  # a 32-byte nonce and its 32-byte HMAC: 128 hex digits


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
            submitted = unmasked_token((await request.form()).get("_csrf_token"))
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


def public_help_path(path: str) -> bool:
    """The public help pages (/help, /help/..., /ayuda): their forms act for nobody, so there is
    nothing to forge, and they must set no cookie (web/help/reports.py). Not /help-desk."""
    return path in ("/help", "/ayuda") or path.startswith("/help/")


def _needs_csrf(scope: Scope) -> bool:
    headers = {name.lower(): value for name, value in scope.get("headers", [])}
    if b"authorization" in headers:
        return False
    if public_help_path(scope.get("path", "")):
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
    """The CSRF token for this page's forms: the csrftoken cookie's value, masked afresh."""
    token = ScopeState.from_scope(connection.scope).csrf_token
    return "" if token is Empty else masked_token(str(token))


def masked_token(token: str) -> str:
    """The token (hex) as a random pad followed by the token XOR the pad: a different text each
    time, from which unmasked_token gets the token back."""
    raw = bytes.fromhex(token)
    pad = secrets.token_bytes(len(raw))
    return (pad + bytes(a ^ b for a, b in zip(raw, pad, strict=True))).hex()


def unmasked_token(submitted: object) -> object:
    """The token a form sent: unmasked when masked, as it came otherwise (a script may send
    the cookie's value itself); anything unreadable is returned as it is, to be refused."""
    if not isinstance(submitted, str) or len(submitted) % 4:
        return submitted
    try:
        both = bytes.fromhex(submitted)
    except ValueError:
        return submitted
    half = len(both) // 2
    pad, masked = both[:half], both[half:]
    if half != TOKEN_BYTES:
        return submitted
    return bytes(a ^ b for a, b in zip(masked, pad, strict=True)).hex()


def session_account(
    connection: ASGIConnection, accounts: Accounts
) -> tuple[Account | None, Credential]:
    """The account this request's session cookie signs in, with the credential it holds; a
    cookie ended, expired or of a disabled account is cleared."""
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
