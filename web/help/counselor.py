"""A trained counselor now: the page offering the hand-off to the configured line, and the two
buttons, which go through Steady on their way to the line's tel: or sms: address so that it can
count them. Counts only: that a hand-off was offered (the page was drawn) and taken (a button was
pressed), by channel and day; never who, never an address."""

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.status_codes import HTTP_303_SEE_OTHER

from service.help_requests.service import HelpRequests
from web.help.site import HELP_HEADERS, HelpSite

PUBLIC = {"sync_to_thread": True, "include_in_schema": False}
CHANNELS = ("call", "text")


@get("/help/counselor", name="help_counselor", **PUBLIC)
def counselor_page(
    request: Request,
    help_site: NamedDependency[HelpSite],
    help_requests: NamedDependency[HelpRequests],
) -> Response:
    language = help_site.language(request)
    _ = help_site.words(language)
    counselor = help_site.resources.counselor
    help_requests.count_handoff("offered", "call")
    help_requests.count_handoff("offered", "text")
    return help_site.page(
        request,
        "help/counselor.html",
        language,
        title=_("Talk to a trained counselor now"),
        counselor={
            "name": counselor.name.in_language(language),
            "says": counselor.says.in_language(language),
            "how": counselor.how.in_language(language),
        },
    )


@get("/help/counselor/{channel:str}", name="help_counselor_channel", **PUBLIC)
def hand_off(
    request: Request,
    help_site: NamedDependency[HelpSite],
    help_requests: NamedDependency[HelpRequests],
    channel: FromPath[str],
) -> Redirect:
    if channel not in CHANNELS:
        raise NotFoundException(f"there is no way to reach a counselor called {channel!r}")
    language = help_site.language(request)
    help_requests.count_handoff("taken", channel)
    return Redirect(
        help_site.resources.counselor.target(channel, language),
        status_code=HTTP_303_SEE_OTHER,
        headers=HELP_HEADERS,
    )


COUNSELOR_HANDLERS = [counselor_page, hand_off]
