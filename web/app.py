"""The Litestar application: every slice's handlers, the live feed, the plugins and static
files. The parts it serves from are built by the composition root (service.bootstrap); this
module only starts and stops what runs beside the requests (the log followers)."""

import asyncio
import contextlib
import gc
import logging
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from service.accounts.service import Accounts
from service.bootstrap import Parts, assemble
from service.config import Settings
from service.help_requests.resources import School, load_resources
from service.incidents.application import Steady
from service.live.feed_events import FeedEvent
from service.live.follower import LogFollower
from service.live.live_log import LiveEvent
from service.timelines.projection import TimelineProjector
from web.access.compression import compression_config
from web.access.headers import add_security_headers
from web.access.options import AnswerOptions
from web.access.sessions import (
    BearerAwareCSRF,
    csrf_config,
    secure_cookies_over_https,
    session_config,
)
from web.accounting.api import ACCOUNTING_API_HANDLERS
from web.accounting.pages import ACCOUNTING_PAGES
from web.accounts.email_api import EMAIL_API_HANDLERS
from web.accounts.my_account import MY_ACCOUNT_HANDLERS
from web.accounts.my_tokens import MY_TOKEN_HANDLERS
from web.accounts.pages import ADMIN_HANDLERS
from web.audit.api import AUDIT_HANDLERS
from web.audit.pages import TIMELINE_PAGES
from web.audit.replay import REPLAY_PAGES
from web.audit.report import REPORT_PAGES
from web.audit.views_log import VIEWS_LOG_HANDLERS
from web.calendar_feed.feed import CALENDAR_FEED_HANDLERS
from web.calendars.api import CALENDAR_HANDLERS
from web.dependencies import DEPENDENCIES
from web.drills.api import DRILL_API_HANDLERS
from web.drills.pages import DRILL_PAGES
from web.errors import EXCEPTION_HANDLERS, SteadyRequest
from web.follow_ups.api import FOLLOW_UPS_API_HANDLERS
from web.follow_ups.pages import FOLLOW_UPS_PAGES
from web.help.case import CASE_HANDLERS
from web.help.counselor import COUNSELOR_HANDLERS
from web.help.pages import HELP_PAGES
from web.help.reports import REPORT_HANDLERS
from web.help.site import HelpSite
from web.help.translations import Catalogues
from web.help_desk.pages import HELP_DESK_PAGES
from web.incidents.board import BOARD_HANDLERS
from web.incidents.commands import COMMAND_HANDLERS
from web.incidents.incident_page import INCIDENT_PAGE_HANDLERS
from web.incidents.need_to_know import NEED_TO_KNOW_HANDLERS
from web.incidents.opening import OPENING_HANDLERS
from web.incidents.reads import READ_HANDLERS
from web.incidents.signin import SIGNIN_HANDLERS
from web.live.feed import board_feed, heartbeats
from web.live.feed_server import FeedServer
from web.live.hub import Hub
from web.live.revocation import account_changes, people_named, rescope
from web.people.api import PEOPLE_API_HANDLERS
from web.people.pages import PEOPLE_PAGES
from web.playbooks.api import PLAYBOOK_API_HANDLERS
from web.playbooks.pages import PLAYBOOK_PAGES
from web.recovery.api import RECOVERY_API_HANDLERS
from web.recovery.pages import RECOVERY_PAGES
from web.reunification.api import REUNIFICATION_API_HANDLERS
from web.reunification.pages import REUNIFICATION_PAGES
from web.rosters.pages import ROSTER_PAGES
from web.sharing.api import SHARING_HANDLERS
from web.work.api import WORK_API_HANDLERS
from web.work.pages import WORK_PAGES

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
# Every slice's handlers, API first: the JSON API, the live feed, then the pages.
HANDLERS = [
    *COMMAND_HANDLERS,  # before READ_HANDLERS: its controller and list_incidents share a path
    *READ_HANDLERS,
    *SHARING_HANDLERS,
    *NEED_TO_KNOW_HANDLERS,
    *PLAYBOOK_API_HANDLERS,
    *AUDIT_HANDLERS,
    *WORK_API_HANDLERS,
    *CALENDAR_HANDLERS,
    *FOLLOW_UPS_API_HANDLERS,
    *PEOPLE_API_HANDLERS,
    *RECOVERY_API_HANDLERS,
    *REUNIFICATION_API_HANDLERS,
    *DRILL_API_HANDLERS,
    *ACCOUNTING_API_HANDLERS,
    board_feed,
    *BOARD_HANDLERS,
    *OPENING_HANDLERS,
    *INCIDENT_PAGE_HANDLERS,
    *PLAYBOOK_PAGES,
    *SIGNIN_HANDLERS,
    *TIMELINE_PAGES,
    *REPLAY_PAGES,
    *REPORT_PAGES,
    *ADMIN_HANDLERS,
    *MY_TOKEN_HANDLERS,
    *MY_ACCOUNT_HANDLERS,
    *EMAIL_API_HANDLERS,
    *CALENDAR_FEED_HANDLERS,
    *VIEWS_LOG_HANDLERS,
    *WORK_PAGES,
    *FOLLOW_UPS_PAGES,
    *PEOPLE_PAGES,
    *RECOVERY_PAGES,
    # The public help pages (no sign-in): /help, /ayuda and the forms under /help/.
    *HELP_PAGES,
    *REPORT_HANDLERS,
    *CASE_HANDLERS,
    *COUNSELOR_HANDLERS,
    *HELP_DESK_PAGES,  # the desk's pages and the partners' routed help (signed in)
    *ROSTER_PAGES,
    *REUNIFICATION_PAGES,
    *DRILL_PAGES,
    *ACCOUNTING_PAGES,
]


def create_app(
    steady: Steady,
    settings: Settings,
    *,
    heartbeat_seconds: float = 15.0,
    poll_seconds: float = 1.0,
    accounts: Accounts | None = None,
) -> Litestar:
    return create_app_from(
        assemble(steady, settings, accounts=accounts),
        heartbeat_seconds=heartbeat_seconds,
        poll_seconds=poll_seconds,
    )


def create_app_from(
    parts: Parts, *, heartbeat_seconds: float = 15.0, poll_seconds: float = 1.0
) -> Litestar:
    steady, settings, partner_feed = parts.steady, parts.settings, parts.partner_feed
    # Read (and checked) now: a wrong resources file or catalogue stops the start, naming it.
    help_site = HelpSite(
        load_resources(settings.help_resources),
        Catalogues.load(),
        settings.district,
        settings.zone(),
        district_schools=lambda: tuple(
            School(o.slug, o.name) for o in parts.accounts.organisations() if o.kind == "school"
        ),
    )
    hub = Hub()
    tasks: list[asyncio.Task[None]] = []
    sending: list[asyncio.Task[None]] = []  # the outbox's rounds: awaited, not cancelled
    follower: list[LogFollower] = []
    running: set[asyncio.Task[None]] = set()

    def keep_running(work: Coroutine[Any, Any, None]) -> None:
        """Runs on the loop; holds the task until it is done (the loop keeps only weak ones)."""
        task = asyncio.create_task(work)
        running.add(task)
        task.add_done_callback(running.discard)

    async def start(app: Litestar) -> None:
        loop = asyncio.get_running_loop()
        app.state.feed = FeedServer(app, settings)  # takes the upgrades `steady serve` hands it
        hub.position = steady.last_position()
        # Account changes (a token revoked, sessions ended, a role taken away), from whichever
        # instance made them, close the live connections they invalidate: from the first moment.
        revoking = LogFollower(
            steady,
            lambda changes: loop.call_soon_threadsafe(hub.accounts_changed, changes),
            interval=poll_seconds,
            read=account_changes(app.state, hub),
        )
        revoking.start(hub.position)
        follower.append(revoking)
        tasks.append(asyncio.create_task(heartbeats(hub, heartbeat_seconds)))
        # Folding the whole log into the partner feed and the board takes seconds on a long
        # one: the server answers meanwhile (a read that needs either folds it under its lock,
        # so it waits; an incident's page and API do not need them) and the live feed starts
        # once they are done.
        tasks.append(asyncio.create_task(follow_the_log(app, loop)))

    async def follow_the_log(app: Litestar, loop: asyncio.AbstractEventLoop) -> None:
        # Before the follower starts: partners' views of every event up to now, so a partner
        # catching up from any position gets what they would have got live.
        while True:
            try:
                await asyncio.gather(
                    asyncio.to_thread(partner_feed.catch_up),
                    asyncio.to_thread(steady.board.catch_up),
                )
                break
            except Exception:  # the store went out of reach: the followers wait for it too
                log.warning("cannot fold the log at start-up yet; trying again", exc_info=True)
                await asyncio.sleep(poll_seconds)

        def deliver(events: list[LiveEvent]) -> None:
            incident_events = [e for e in events if isinstance(e, FeedEvent)]
            partner_feed.fold(incident_events)  # in the follower's thread: it may read the store
            # The live feed judges who may see each event by the board: bring it up to date
            # here, so that judging never reads the store on the event loop.
            steady.board.catch_up()
            loop.call_soon_threadsafe(hub.publish, events)
            named = people_named(incident_events)
            if named:  # after the board has folded the events: it decides who sees what
                loop.call_soon_threadsafe(keep_running, rescope(hub, app.state, named))

        following = LogFollower(steady, deliver, interval=poll_seconds, read=parts.live_log.after)
        following.start(hub.position)
        follower.append(following)
        # Told timelines are stored by a follower of their own: telling a long backlog after an
        # upgrade must not hold up the live feed.
        stored = parts.timelines.stored(settings.zone().key)
        if stored is not None:
            projector = TimelineProjector(steady, stored)
            projecting = LogFollower(steady, projector.fold, interval=poll_seconds)
            projecting.start(await asyncio.to_thread(projector.start))
            stored.projector_started(projecting.waiter.wake)
            follower.append(projecting)
        # The outbox derives its messages with a follower of its own, and sends on its own
        # schedule (service.outbox.reminders).
        reminders = parts.reminders
        if reminders is not None:
            outboxing = LogFollower(steady, reminders.derive, interval=poll_seconds)
            outboxing.start(await asyncio.to_thread(reminders.start))
            follower.append(outboxing)
            sending.append(asyncio.create_task(reminders.keep_sending()))
        # Long-lived objects made at start-up need no collecting: this avoids long GC pauses
        # under many connections.
        gc.collect()
        gc.freeze()

    async def stop(app: Litestar) -> None:
        await app.state.feed.shut()
        for task in tasks:
            task.cancel()
        for following in follower:
            following.stop()
        if parts.reminders is not None and sending:
            # A round may be reading the store in a worker thread: it ends before the store
            # is closed under it.
            parts.reminders.stop()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(sending[0]), 10)
        parts.view_log.close()  # saves the views still queued
        steady.close()

    app = Litestar(
        route_handlers=[
            *HANDLERS,
            create_static_files_router(path="/static", directories=[HERE / "static"]),
        ],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        dependencies=DEPENDENCIES,
        request_class=SteadyRequest,
        middleware=[
            AnswerOptions(),  # before sessions and guards: OPTIONS needs neither
            session_config(settings).middleware,
            DefineMiddleware(BearerAwareCSRF, config=csrf_config(settings)),
        ],
        before_send=[add_security_headers, secure_cookies_over_https],
        on_startup=[start],
        on_shutdown=[stop],
        template_config=TemplateConfig(directory=HERE / "templates", engine=JinjaTemplateEngine),
        openapi_config=OpenAPIConfig(title="Steady", version="1", path="/schema"),
        response_cache_config=ResponseCacheConfig(),
        compression_config=compression_config(),
    )
    # Each part under its own name: the dependencies (web.dependencies), the sign-in code and
    # the live feed read them from here.
    app.state.steady = steady
    app.state.settings = settings
    app.state.hub = hub
    app.state.partner_feed = partner_feed
    app.state.accounts = parts.accounts
    app.state.school_names = parts.school_names
    app.state.role_holders = parts.role_holders
    app.state.calendars = parts.calendars
    app.state.viewing = parts.view_log
    app.state.timelines = parts.timelines
    app.state.follow_ups = parts.follow_ups
    app.state.follow_ups_due = parts.follow_ups_due
    app.state.people = parts.people
    app.state.reminders = parts.reminders
    app.state.calendar_feeds = parts.calendar_feeds
    app.state.live_log = parts.live_log
    app.state.recovery = parts.recovery
    app.state.help_site = help_site
    app.state.help_requests = parts.help_requests
    app.state.rosters = parts.rosters
    app.state.reunifications = parts.reunifications
    app.state.drills = parts.drills
    app.state.accounting = parts.accounting
    return app
