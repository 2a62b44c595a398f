"""Compressed answers (gzip): pages, fragments, JSON, scripts and styles, not the live feed
(websockets are left alone).

Compression and secrets in one body invite BREACH (guessing a secret from compressed sizes while
reflecting one's own text beside it). Three things stand against it here: the CSRF token a page
carries is masked afresh in every response (web/access/sessions.py), so no secret is the same in
two bodies; the session cookie is SameSite=Lax, so the many requests an attacker's page would send
carry no session; and a request a browser marks as sent from another site (`Sec-Fetch-Site:
cross-site` or `same-site`) is answered uncompressed, so even a top-level navigation an attacker
starts gives no compressed sizes to measure."""

from litestar.config.compression import CompressionConfig
from litestar.datastructures import Headers
from litestar.middleware.compression import CompressionMiddleware
from litestar.types import Receive, Scope, Send

OWN_SITE = {"same-origin", "none"}  # none: typed in, a bookmark, a reload


class OwnSiteCompression(CompressionMiddleware):
    """Litestar's compression, for requests that came from Steady's own pages (or no browser)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        site = Headers.from_scope(scope).get("sec-fetch-site")
        if site is not None and site.lower() not in OWN_SITE:
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def compression_config() -> CompressionConfig:
    # Level 6: nearly level 9's size for a page, in far less of the server's time.
    return CompressionConfig(
        backend="gzip",
        gzip_compress_level=6,
        minimum_size=500,
        middleware_class=OwnSiteCompression,
    )
