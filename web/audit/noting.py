"""Noting, at the edge, that a person saw an incident: one call in each handler that shows one.

Where a person sees an incident's content: its page, the API's incident, events and state, the
export, the timeline (page, JSON, CSV), replay (page, state at a version or moment, diff) and the
after-action report. Not a view: a card on the board (a summary of every open incident, refreshed
on every change of any of them), the board and the global feed, and verify (only whether the hash
chain is intact).
"""

import logging

from litestar import Request

from domain.account import Account
from service.views_log.recording import Viewer, ViewLog
from web.auth import signed_in
from web.dependencies import provide_view_log

log = logging.getLogger(__name__)


def viewlog_of(request: Request) -> ViewLog:
    """The log of views, as the `view_log` dependency gives it: noting a view is a call inside
    handlers, not a dependency, so that it runs after the permission check."""
    return provide_view_log(request.app.state)


def viewer_of(account: Account) -> Viewer:
    return Viewer(
        user=account.username,
        role=account.acting_as().role,
        roles=tuple(account.roles),
        organisation=account.organisation,
    )


def record_view(request: Request, ref: str, surface: str) -> None:
    """Notes that the signed-in person saw the incident `ref` on `surface`. Call it after the
    permission check. It never raises and never waits for the store: a crisis team must never be
    kept from an incident by the log of who looked at it, so a failure goes to the server log and
    the page is served. An unknown incident is dropped when the view is saved."""
    try:
        account = signed_in(request)  # the account allow() found, kept on the request
        if account is not None:
            viewlog_of(request).record(viewer_of(account), ref, surface)
    except Exception:
        log.exception("could not note a view of %s on the %s surface", ref, surface)
