"""What handlers receive through Litestar's dependency injection, by parameter name: the
application, settings, the signed-in person, the district's zone and clock, the partner feed,
the timelines, the log of views, and what every incident command takes besides its own fields.
The composition root (service/bootstrap.py) builds the parts and web/app.py puts them on the
application's state; besides the providers here, only the page context reads it, through them
(error pages are drawn by exception handlers, which get no dependencies)."""

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request
from litestar.concurrency import sync_to_thread
from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.di import Provide

from domain.account import Account
from domain.people import Actor
from service.accounts.tokens import token_id_of
from service.config import Settings
from service.sharing.feed import PartnerFeed
from service.views_log.recording import Viewer, ViewLog
from web.access.auth import account_of, already_signed_in, partner_organisation, signed_in
from web.access.sessions import bearer_of

log = logging.getLogger(__name__)


def provide_from_state(attribute: str) -> Callable[[State], Any]:
    """The provider of one part web/app.py put on the application's state, by its attribute."""

    def provide(state: State) -> Any:
        return getattr(state, attribute)

    return provide


# The parts handlers receive as they are on the state: dependency name -> the state's attribute.
FROM_STATE = {
    "steady": "steady",
    "settings": "settings",
    "accounts": "accounts",
    "partner_feed": "partner_feed",
    "view_log": "viewing",
    "timelines": "timelines",
    "role_holders": "role_holders",
    "calendars": "calendars",
    "follow_ups": "follow_ups",
    "follow_ups_due": "follow_ups_due",
    "people": "people",
    "calendar_feeds": "calendar_feeds",
    "recovery": "recovery",
    "help_site": "help_site",  # the public help pages' catalogues, resources and templates
    "help_requests": "help_requests",
    "rosters": "rosters",
    "reunifications": "reunifications",
    "drills": "drills",
    "accounting": "accounting",
}
provide_settings: Callable[[State], Settings] = provide_from_state("settings")


async def provide_signed_in_as(request: ASGIConnection) -> Account:
    """The signed-in person (401 if none); a guard has usually found them already, and
    otherwise they are looked up in a worker thread: the event loop never waits on the store."""
    return already_signed_in(request) or await sync_to_thread(account_of, request)


def provide_zone(state: State) -> ZoneInfo:
    return state.settings.zone()


def provide_clock(state: State) -> Callable[[], datetime]:
    return state.steady.clock


class NoteView:
    """Notes, at the edge, that the signed-in person saw an incident: one call in each handler
    that shows one, after the permission check. Where a person sees an incident's content: its
    page, the API's incident, events and state, the export, the timeline (page, JSON, CSV),
    replay (page, state at a version or moment, diff) and the after-action report. Not a view: a
    card on the board, the board and the global feed, and verify (only whether the hash chain is
    intact).

    It never raises and never waits for the store: a crisis team must never be kept from an
    incident by the log of who looked at it, so a failure goes to the server log and the page is
    served. An unknown incident is dropped when the view is saved."""

    def __init__(self, request: Request, view_log: ViewLog) -> None:
        self.request = request
        self.view_log = view_log

    def __call__(self, ref: str, surface: str) -> None:
        try:
            account = signed_in(self.request)  # the account the guard found, kept on the request
            if account is not None:
                self.view_log.record(viewer_of_view(account), ref, surface)
        except Exception:
            log.exception("could not note a view of %s on the %s surface", ref, surface)


def viewer_of_view(account: Account) -> Viewer:
    """Who saw it, as the log of views records them."""
    return Viewer(
        user=account.username,
        role=account.acting_as().role,
        roles=tuple(account.roles),
        organisation=account.organisation,
    )


def provide_note_view(request: Request, state: State) -> NoteView:
    return NoteView(request, state.viewing)


class CommandOptions:
    """What every incident command takes besides its own fields: who acts (with the API token
    they came with), the idempotency key, the version it is based on, and, for a partner, which
    events they may hear of. Read from the request when the command is sent, after the
    handler's own checks, so a refusal is the same whichever check comes first."""

    def __init__(self, request: Request, partner_feed: PartnerFeed) -> None:
        self.request = request
        self.partner_feed = partner_feed

    def actor(self) -> Actor:
        token = bearer_of(self.request.headers)
        return account_of(self.request).acting_as(token_id=token_id_of(token) if token else None)

    def idempotency_key(self) -> str | None:
        return self.request.headers.get("idempotency-key") or None

    def __call__(self, based_on_version: int | None = None) -> dict[str, Any]:
        """The options; for a partner, a conflict names only the events they may see (an
        unshared note is not theirs to hear of)."""
        chosen: dict[str, Any] = {
            "actor": self.actor(),
            "idempotency_key": self.idempotency_key(),
            "based_on_version": based_on_version,
        }
        organisation = partner_organisation(account_of(self.request))
        if organisation is not None:
            feed = self.partner_feed
            chosen["visible"] = lambda event: feed.view(organisation, event) is not None
        return chosen


def provide_command_options(request: Request, state: State) -> CommandOptions:
    return CommandOptions(request, state.partner_feed)


DEPENDENCIES: dict[str, Provide] = {
    **{
        name: Provide(provide_from_state(attribute), sync_to_thread=False)
        for name, attribute in FROM_STATE.items()
    },
    "signed_in_as": Provide(provide_signed_in_as),
    "zone": Provide(provide_zone, sync_to_thread=False),
    "clock": Provide(provide_clock, sync_to_thread=False),
    "note_view": Provide(provide_note_view, sync_to_thread=False),
    "command_options": Provide(provide_command_options, sync_to_thread=False),
}
