"""OPTIONS on any path: 204 with an Allow header listing every method the path has.

Litestar 2 answers OPTIONS itself, but lists only the methods of the handlers registered first on
a path (GET and POST on /api/v1/incidents come from two handlers: it says POST only,
litestar-org/litestar#4169), and runs the guards of the controller it borrows, so an OPTIONS
request to an admin's path asks to be signed in. Saying which methods a path has tells nothing
that the API's document does not, so this answers before any guard, without a body.
"""

import re

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

TYPED = re.compile(r"\{(\w+):\w+\}")  # {ref:str} in the map is {ref} in the path template


def allowed_methods(scope: Scope) -> list[str]:
    """The methods of the route the request reached, from the application's own map (read
    only for OPTIONS, which is rare: not worth keeping)."""
    template = scope.get("path_template", "")
    methods = {"OPTIONS"}
    for path, handlers in scope["app"].route_handler_method_map.items():
        if TYPED.sub(r"{\1}", path) == template:
            methods.update(handlers)
    return sorted(methods)


class AnswerOptions(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["method"] != "OPTIONS":
            await next_app(scope, receive, send)
            return
        allow = ", ".join(allowed_methods(scope)).encode()
        await send({"type": "http.response.start", "status": 204, "headers": [(b"allow", allow)]})
        await send({"type": "http.response.body", "body": b""})
