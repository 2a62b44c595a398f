"""Security headers on every HTTP response: the pages work under a strict policy because they
carry no inline script, style or event handler, and load nothing from elsewhere.

Over https, Strict-Transport-Security tells the browser to use nothing else for a year. It is
sent only over https (a browser ignores it over http, and a site tried over plain http first
must still be reachable). Behind a TLS-terminating proxy the scheme comes from the proxy's
X-Forwarded-Proto, trusted only from STEADY_TRUSTED_PROXIES. No includeSubDomains: Steady may
be one host of a district's domain, and its siblings are not ours to commit."""

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",  # the live feed is a same-origin websocket
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}
STRICT_TRANSPORT_SECURITY = "max-age=31536000"


async def add_security_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in HEADERS.items():
        if name not in headers:
            headers[name] = value
    if scope.get("scheme") == "https" and "Strict-Transport-Security" not in headers:
        headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
