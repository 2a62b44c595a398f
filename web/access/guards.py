"""Permission checks as Litestar guards, for routes that one action of the matrix covers whole.

`guards=[requires("close_incident")]` on a handler refuses, before the handler runs, anyone
not signed in (401), anyone whose roles do not allow the action (403 naming it), and, when the
route has a `ref` path parameter, anyone who may not know that incident exists (404). The
account it found stays on the request, so the handler's `signed_in_as` dependency reads no more.
Checks that depend on the particular task or note (a responder's own tasks, one's own notes)
stay in web.access.auth (allow_task_update, allow_note_correction), called by those handlers.

A guard reads the store (the account, the incident), so it runs in a worker thread: the event
loop must not wait on the store, which may take seconds to answer when it is away."""

from collections.abc import Awaitable, Callable

from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from service.access.permissions import ACTIONS
from web.access.auth import allow

Guard = Callable[[ASGIConnection, BaseRouteHandler], Awaitable[None]]


def requires(action: str) -> Guard:
    """A guard that lets through only those who may take `action` (on the route's incident)."""
    if action not in ACTIONS:
        raise ValueError(f"no action {action!r} in the permission matrix")

    async def guard(connection: ASGIConnection, _: BaseRouteHandler) -> None:
        ref = connection.path_params.get("ref")
        named = ref if isinstance(ref, str) else None
        await sync_to_thread(allow, connection, action, ref=named)  # type: ignore[arg-type]

    guard.__name__ = guard.__qualname__ = f"requires_{action}"
    return guard
