"""Coming back (/help/case): the case code and passphrase open the reporter's view of their case
(how it stands, the school's replies, what they wrote) and a form to write more. A wrong code
and a wrong passphrase get the same answer, which never says which was wrong; guessing is
limited by the service, and the page then says how long to wait.

Nothing is kept between requests: the write-more form carries the code and passphrase back (the
page is never cached and sends no referrer), so no cookie or session knows the case."""

from datetime import datetime
from typing import Any

from babel.dates import format_datetime
from litestar import Request, Response, get, post
from litestar.di import NamedDependency

from domain.errors import DomainError
from service.help_requests.refusals import CaseNotOpened, TooManyRequests
from service.help_requests.service import HelpRequests
from service.help_requests.views import ReporterView
from web.accounts.forms import Form
from web.help.forms import WORDS_LIMIT
from web.help.reports import PUBLIC_GET, PUBLIC_POST, client_of, too_many
from web.help.site import HelpSite, Words
from web.help.words import CASE_STATUSES, N_

WHO = {"you": N_("You"), "school": N_("The school")}
# What the reporter is told of how their request ended (domain/help_steps.py OUTCOMES), marked
# here so each is in the catalogues: the service says it in English.
OUTCOME_TEXTS = (
    N_("The school looked into this and dealt with it."),
    N_("The school passed this to people who can help."),
    N_("The school's crisis team is handling this."),
    N_("The school looked into this; no further action is needed."),
    N_("This request was closed."),
)


def one(data: dict[str, Any], name: str) -> str:
    value = data.get(name, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value)


def shown_time(site: HelpSite, at: datetime | str, language: str) -> str:
    """A message's time as the reporter reads it: day and clock, in the district's zone."""
    when = datetime.fromisoformat(at) if isinstance(at, str) else at
    return format_datetime(when, "medium", tzinfo=site.zone, locale=language)


def case_shown(site: HelpSite, view: ReporterView, language: str) -> dict[str, Any]:
    _ = site.words(language)
    return {
        "status_id": view.status.replace(" ", "-"),
        "status": _(CASE_STATUSES[view.status]),
        "outcome": _(view.outcome) if view.outcome else "",
        "messages": [
            {
                "who": message.who,
                "who_label": _(WHO[message.who]),
                "text": message.text,
                "at": shown_time(site, message.at, language),
            }
            for message in view.messages
        ],
    }


def case_page(
    request: Request,
    site: HelpSite,
    language: str,
    status_code: int = 200,
    **values: Any,
) -> Response:
    values.setdefault("case", None)
    values.setdefault("values", {})
    values.setdefault("errors", {})
    return site.page(
        request,
        "help/case.html",
        language,
        status_code=status_code,
        title=site.words(language)("Your case"),
        limit=WORDS_LIMIT,
        **values,
    )


def text_problems(_: Words, text: str) -> dict[str, str]:
    if not text:
        return {"text": _("Write something to send.")}
    if len(text) > WORDS_LIMIT:
        return {
            "text": _(
                "Keep this to %(limit)s characters (it has %(count)s): send it in parts.",
                limit=WORDS_LIMIT,
                count=len(text),
            )
        }
    return {}


@get("/help/case", name="help_case_form", **PUBLIC_GET)
def case_form(request: Request, help_site: NamedDependency[HelpSite]) -> Response:
    return case_page(request, help_site, help_site.language(request))


@post("/help/case", name="help_case", status_code=200, **PUBLIC_POST)
def open_or_write(
    request: Request,
    help_site: NamedDependency[HelpSite],
    help_requests: NamedDependency[HelpRequests],
    data: Form,
) -> Response:
    site = help_site
    language = site.language(request, one(data, "lang") or None)
    _ = site.words(language)
    code, passphrase = one(data, "code").strip(), one(data, "passphrase")
    writing = one(data, "action") == "write"
    text = one(data, "text").strip()
    client = client_of(request)
    refused: tuple[int, str] | None = None
    errors: dict[str, str] = {}
    try:
        view = help_requests.open_case(code, passphrase, client=client)
        if writing:
            errors = text_problems(_, text)
        if writing and not errors:
            view = help_requests.reporter_writes(code, passphrase, text, client=client)
    except TooManyRequests as error:
        refused = (429, too_many(site, language, error.retry_after))
    except CaseNotOpened:
        refused = (
            404,
            _(
                "That case code and passphrase do not open a case. Check both and try again: the "
                "code is 12 letters and numbers, and the passphrase is the one you chose."
            ),
        )
    except DomainError as error:  # the case opened, but what they wrote was refused
        errors = {"text": _("This could not be sent: %(reason)s", reason=str(error))}
        view = help_requests.open_case(code, passphrase, client=client)
    if refused is not None:
        status, message = refused
        return case_page(request, site, language, status, refused=message, values={"code": code})
    return case_page(
        request,
        site,
        language,
        422 if errors else 200,
        case=case_shown(site, view, language),
        case_code=code.upper(),
        passphrase=passphrase,
        written=writing and not errors,
        errors=errors,
        values={"text": text if errors else ""},
    )


CASE_HANDLERS = [case_form, open_or_write]
