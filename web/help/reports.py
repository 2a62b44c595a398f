"""The report and ask forms (/help/report, /help/ask): what the visitor sends to the school or
community, anonymous unless they give a way to reach them. A sent form answers with the case
code, drawn big with the passphrase they chose, to keep; "Someone is in danger right now" puts
911 first on that page (and, by CSS alone, beside the box as soon as it is ticked).

The forms carry no CSRF token: they act for nobody (a forged one is only an anonymous report,
which anyone may send), and a token would need a cookie. The visitor's address goes to the
service only to count their sends under a keyed hash that rotates daily; it is never stored."""

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency

from domain.errors import DomainError
from service.help_requests.refusals import TooManyRequests
from service.help_requests.service import HelpRequests
from web.accounts.forms import Form
from web.help.forms import WORDS_LIMIT, field_ids, problems, typed
from web.help.site import HelpSite
from web.help.words import N_, choices

PUBLIC_GET = {"sync_to_thread": False, "include_in_schema": False}
PUBLIC_POST = {"sync_to_thread": True, "include_in_schema": False}
TITLES = {"report": N_("Report something"), "ask": N_("Ask for help")}


def client_of(request: Request) -> str:
    """The visitor's address, for the service's rate limit only (never stored, never logged)."""
    return request.client.host if request.client else ""


def form_page(
    request: Request,
    site: HelpSite,
    route: str,
    language: str,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return site.page(
        request,
        f"help/{route}.html",
        language,
        status_code=status_code,
        title=site.words(language)(TITLES[route]),
        categories=choices(site.words(language), route),
        schools=site.schools(),
        values=values or typed({}),
        errors=errors or {},
        ids=field_ids(route),
        limit=WORDS_LIMIT,
    )


def too_many(site: HelpSite, language: str, retry_after: int) -> str:
    minutes = max(1, -(-retry_after // 60))
    return site.words(language).ngettext(
        "Too many tries from here. Wait %(num)s minute and try again.",
        "Too many tries from here. Wait %(num)s minutes and try again.",
        minutes,
    )


def send(
    request: Request, site: HelpSite, help_requests: HelpRequests, route: str, data: dict
) -> Response:
    values = typed(data)
    language = site.language(request, str(data.get("lang", "")) or None)
    _ = site.words(language)
    errors = problems(site, language, route, values)
    if errors:
        return form_page(request, site, route, language, values, errors, 422)
    try:
        case = help_requests.submit(
            route=route,
            category=values["category"],
            school=values["school"],
            when=values["when"].strip() if route == "report" else "",
            words=values["words"].strip(),
            contact=values["contact"].strip(),
            life_safety=route == "report" and values["life_safety"],
            language=language,
            passphrase=values["passphrase"],
            client=client_of(request),
            spam=bool(values["website"]),
        )
    except TooManyRequests as error:
        message = too_many(site, language, error.retry_after)
        return form_page(request, site, route, language, values, {"words": message}, 429)
    except DomainError as error:
        # The checks above say the same in the visitor's words; this is the service's last word.
        message = _("This could not be sent: %(reason)s", reason=str(error))
        return form_page(request, site, route, language, values, {"words": message}, 422)
    return site.page(
        request,
        "help/sent.html",
        language,
        title=_("Sent"),
        heading=_("We have your report.") if route == "report" else _("We have your request."),
        case_code=case.case_code,
        passphrase=values["passphrase"],
        life_safety=route == "report" and values["life_safety"],
    )


@get("/help/report", name="help_report_form", **PUBLIC_GET)
def report_form(request: Request, help_site: NamedDependency[HelpSite]) -> Response:
    return form_page(request, help_site, "report", help_site.language(request))


@post("/help/report", name="help_report", status_code=200, **PUBLIC_POST)
def send_report(
    request: Request,
    help_site: NamedDependency[HelpSite],
    help_requests: NamedDependency[HelpRequests],
    data: Form,
) -> Response:
    return send(request, help_site, help_requests, "report", data)


@get("/help/ask", name="help_ask_form", **PUBLIC_GET)
def ask_form(request: Request, help_site: NamedDependency[HelpSite]) -> Response:
    return form_page(request, help_site, "ask", help_site.language(request))


@post("/help/ask", name="help_ask", status_code=200, **PUBLIC_POST)
def send_ask(
    request: Request,
    help_site: NamedDependency[HelpSite],
    help_requests: NamedDependency[HelpRequests],
    data: Form,
) -> Response:
    return send(request, help_site, help_requests, "ask", data)


REPORT_HANDLERS = [report_form, send_report, ask_form, send_ask]
