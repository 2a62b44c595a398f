"""The private calendar feed: GET /calendar/<secret>.ics, without signing in (a calendar
application cannot), so the secret in the address is the credential. An address that opens no
current feed (never made, revoked, replaced, or its account disabled) is 404, as any unknown
address: it says nothing of whether it ever worked."""

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.errors import NotFound
from service.calendar_feed.feeds import CalendarFeeds
from service.calendar_feed.ics import feed_ics
from service.config import Settings

NO_FEED = "there is no calendar feed at this address: make one on your account page (/account)"


@get("/calendar/{name:str}", sync_to_thread=True, include_in_schema=False)
def calendar_feed(
    request: Request,
    calendar_feeds: NamedDependency[CalendarFeeds],
    settings: NamedDependency[Settings],
    name: FromPath[str],
) -> Response:
    secret = name.removesuffix(".ics")
    account = calendar_feeds.account_for(secret) if name.endswith(".ics") else None
    if account is None:
        raise NotFound(NO_FEED)
    now = calendar_feeds.steady.clock()
    items = [item for source in calendar_feeds.sources for item in source(account.username, now)]
    body = feed_ics(
        items,
        name="Steady: your work",
        public_url=settings.public_url,
        now=now,
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


CALENDAR_FEED_HANDLERS = [calendar_feed]
