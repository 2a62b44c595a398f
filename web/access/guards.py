"""Permission checks as Litestar guards, for routes that one action of the matrix covers whole.

`guards=[requires("close_incident")]` on a handler refuses, before the handler runs, anyone
not signed in (401), anyone whose roles do not allow the action (403 naming it), and, when the
route has a `ref` path parameter, anyone who may not know that incident exists (404). The
account it found stays on the request, so the handler's `signed_in_as` dependency reads no more.
Checks that depend on the particular task or note (a responder's own tasks, one's own notes)
stay in web.access.auth (allow_task_update, allow_note_correction), called by those handlers."""

from collections.abc import Callable

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.access.permissions import ACTIONS
from web.access.auth import allow

Guard = Callable[[ASGIConnection, BaseRouteHandler], None]


def requires(action: str) -> Guard:
    """A guard that lets through only those who may take `action` (on the route's incident)."""
    if action not in ACTIONS:
        raise ValueError(f"no action {action!r} in the permission matrix")

    def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        ref = connection.path_params.get("ref")
        allow(connection, action, ref=ref if isinstance(ref, str) else None)  # type: ignore[arg-type]

    guard.__name__ = guard.__qualname__ = f"requires_{action}"
    return guard
