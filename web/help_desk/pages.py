"""The help desk's pages: the live queue (/help-desk, its fragment refetched by a small script
when the live feed brings a help request's news),
the closed requests, one request with every command the desk may give as a form, and the
partners' page of the requests routed to their organisation (/help-desk/routed).

Plain HTML forms (CSRF token, a 303 back with a one-off confirmation), through the help
requests service as the JSON API would; a refusal draws the case again with the message beside
the form it is about."""

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.account import Account
from domain.errors import DomainError
from domain.help_categories import CATEGORIES
from domain.help_steps import OUTCOMES
from service.access.permissions import Forbidden
from service.accounts.service import Accounts
from service.help_requests.service import HelpRequests
from service.help_requests.views import DeskCase, QueueItem
from service.incidents.application import Steady
from web.access.auth import abilities, allow
from web.accounts.forms import Form, back_with, sentence, take_flash, text
from web.rendering import context, format_time, page, page_route, who

FORM_POST = {"sync_to_thread": True, "include_in_schema": False}
# How often the queue page refetches its rows without news: its clocks move with time alone, and
# the socket may be down.
REFRESH_SECONDS = 60
HANDOFF_DAYS = 30  # the counselor hand-offs counted on the queue page
# What the history calls each event of a request's stream.
EVENT_LABELS: dict[str, str] = {
    "help_received": "Received",
    "help_reporter_wrote": "The reporter wrote",
    "help_acknowledged": "Acknowledged",
    "help_assigned": "Assigned",
    "help_desk_wrote": "The desk wrote to the reporter",
    "help_routed": "Routed to a partner",
    "help_converted_to_incident": "Converted into an incident",
    "help_opened_needs_case": "Needs case opened",
    "help_escalated": "Escalated to the on-call list",
    "help_marked_spam": "Marked spam",
    "help_closed": "Closed",
}
OUTCOME_LABELS: dict[str, str] = {
    "resolved": "Resolved",
    "referred": "Referred to people who can help",
    "incident": "Handled as an incident",
    "no-action": "No further action needed",
    "spam": "Spam",
}


# -- clocks -------------------------------------------------------------------------------------


def span(delta: timedelta) -> str:
    """A length of time as the desk reads it at a glance: "4 min", "2 h 5 min", "3 d 1 h"."""
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def response_clock(
    *,
    received_at: datetime,
    first_response_at: datetime | None,
    due_at: datetime,
    target_minutes: int,
    closed: bool,
    now: datetime,
) -> dict[str, str]:
    """The first-response clock: how long the answer took, or how long is left or over. The
    state is said in words as well as colour, so no one needs to tell green from red."""
    target = span(timedelta(minutes=target_minutes))
    if first_response_at is not None:
        took = span(first_response_at - received_at)
        within = first_response_at <= due_at
        state = "within" if within else "over"
        return {"state": state, "text": f"Answered in {took} ({state} its {target} target)"}
    if closed:
        return {"state": "none", "text": "Closed without an answer to the reporter"}
    if now <= due_at:
        return {"state": "within", "text": f"Answer due in {span(due_at - now)} ({target} target)"}
    return {"state": "over", "text": f"{span(now - due_at)} over its {target} target, no answer"}


def school_names(accounts: Accounts) -> dict[str, str]:
    """The schools' names by id: a request holds the id the help page's select sent."""
    return {o.slug: o.name for o in accounts.organisations() if o.kind == "school"}


def queue_row(
    item: QueueItem, names: dict[str, str], zone: ZoneInfo, now: datetime
) -> dict[str, Any]:
    return {
        "item": item,
        "school": names.get(item.school, item.school),
        "category_name": CATEGORIES[item.category].name,
        "received": format_time(item.received_at, zone, now),
        "waiting": span(now - item.received_at),
        "clock": response_clock(
            received_at=item.received_at,
            first_response_at=item.first_response_at,
            due_at=item.due_at,
            target_minutes=item.target_minutes,
            closed=item.status == "closed",
            now=now,
        ),
    }


def queue_context(
    help_requests: HelpRequests,
    accounts: Accounts,
    account: Account,
    zone: ZoneInfo,
    now: datetime,
) -> dict[str, Any]:
    """The open requests in the service's order (life-safety first), spam apart."""
    names = school_names(accounts)
    rows = [queue_row(i, names, zone, now) for i in help_requests.queue(account)]
    return {
        "rows": [r for r in rows if not r["item"].spam],
        "spam_rows": [r for r in rows if r["item"].spam],
        "closed_count": len(help_requests.closed(account)),
        "rendered": now.astimezone(zone).strftime("%H:%M:%S"),
    }


# -- the queue ----------------------------------------------------------------------------------


@page_route("/help-desk", "help_desk", "view_help_requests")
def queue_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    values = queue_context(help_requests, accounts, signed_in_as, zone, steady.clock())
    ctx = context(
        request,
        "Help desk",
        handoffs=help_requests.handoff_totals(signed_in_as, HANDOFF_DAYS),
        handoff_days=HANDOFF_DAYS,
        refresh_seconds=REFRESH_SECONDS,
        position=steady.last_position(),  # the live feed follows the log from here
        flash=take_flash(request),
        **values,
    )
    return page("help_desk/queue.html", ctx)


@page_route("/help-desk/queue", "help_desk_queue", "view_help_requests")
def queue_fragment(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    """The queue's rows alone, for the page's script to put in place of the ones it shows."""
    values = queue_context(help_requests, accounts, signed_in_as, zone, steady.clock())
    return page("help_desk/_queue.html", context(request, "Help desk queue", **values))


@page_route("/help-desk/closed", "help_desk_closed", "view_help_requests")
def closed_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    now = steady.clock()
    names = school_names(accounts)
    rows = [queue_row(i, names, zone, now) for i in help_requests.closed(signed_in_as)]
    return page("help_desk/closed.html", context(request, "Closed help requests", rows=rows))


# -- one request --------------------------------------------------------------------------------


def partners(accounts: Accounts) -> list[dict[str, str]]:
    return [
        {"slug": o.slug, "name": o.name} for o in accounts.organisations() if o.kind == "partner"
    ]


def schools(accounts: Accounts) -> list[dict[str, str]]:
    return [
        {"slug": o.slug, "name": o.name} for o in accounts.organisations() if o.kind == "school"
    ]


def shown_forms(request: Request, found: DeskCase) -> set[str]:
    """The forms the case page draws for this person, as case.html decides them."""
    can = abilities(who(request))
    if found.closed_at is not None or not can["work_help_requests"]:
        return set()
    shown = {"assign", "write", "route", "close"}
    if not found.acknowledged_at:
        shown.add("acknowledge")
    if not found.spam:
        shown.add("spam")
    if can["convert_help_request"]:
        if found.route == "report" and not found.incident_ref:
            shown.add("convert")
        if found.route == "ask" and not found.person_ref:
            shown.add("needs-case")
    return shown


def case_context(
    request: Request,
    steady: Steady,
    accounts: Accounts,
    found: DeskCase,
    zone: ZoneInfo,
    *,
    error: dict[str, str] | None = None,
    entered: dict[str, str] | None = None,
) -> dict[str, Any]:
    now = steady.clock()
    school_list = schools(accounts)
    given = found.school.casefold()
    chosen_school = next(
        (s["slug"] for s in school_list if given in (s["slug"], s["name"].casefold())), ""
    )
    category = CATEGORIES[found.category]
    refused = error or {"form": "", "message": ""}
    # A refusal of a form the page no longer shows (acknowledging twice, say) goes at the top.
    beside = refused["form"] in shown_forms(request, found)
    return context(
        request,
        f"{found.reference}: help request",
        case=found,
        school_name=next(
            (s["name"] for s in school_list if s["slug"] == chosen_school), found.school
        ),
        closed=found.closed_at is not None,
        received=format_time(found.received_at, zone, now),
        acknowledged=format_time(found.acknowledged_at, zone, now),
        closed_at=format_time(found.closed_at, zone, now),
        waiting=span(now - found.received_at),
        clock=response_clock(
            received_at=found.received_at,
            first_response_at=found.first_response_at,
            due_at=found.due_at,
            target_minutes=found.target_minutes,
            closed=found.closed_at is not None,
            now=now,
        ),
        messages=[{"m": m, "when": format_time(m.at, zone, now)} for m in found.messages],
        routes=[{"r": r, "when": format_time(r.at, zone, now)} for r in found.routes],
        escalations=[{"e": e, "when": format_time(e.at, zone, now)} for e in found.escalations],
        history=[
            {
                "e": e,
                "label": EVENT_LABELS.get(e.type, e.type),
                "when": format_time(e.at, zone, now),
            }
            for e in found.events
        ],
        partners=partners(accounts),
        schools=school_list,
        chosen_school=chosen_school,
        playbooks=[{"id": p.id, "title": p.title} for p in steady.playbooks.all()],
        default_kind=category.incident_kind,
        outcomes=[
            {"value": k, "label": OUTCOME_LABELS.get(k, k), "told": v} for k, v in OUTCOMES.items()
        ],
        outcome_label=OUTCOME_LABELS.get(found.outcome, found.outcome),
        flash=take_flash(request),
        error=refused if beside else {"form": "", "message": refused["message"]},
        entered=entered or {},
    )


@page_route("/help-desk/routed", "help_desk_routed", "view_routed_help")
def routed_page(
    request: Request,
    steady: NamedDependency[Steady],
    help_requests: NamedDependency[HelpRequests],
    signed_in_as: NamedDependency[Account],
    accounts: NamedDependency[Accounts],
    zone: NamedDependency[ZoneInfo],
) -> Response:
    """Only what a RoutedCase holds: never the reporter's words or the conversation."""
    now = steady.clock()
    names = school_names(accounts)
    rows = [
        {
            "c": c,
            "school": names.get(c.school, c.school),
            "received": format_time(c.received_at, zone, now),
            "routed": format_time(c.routed_at, zone, now),
        }
        for c in help_requests.routed_cases(signed_in_as)
    ]
    try:
        organisation = accounts.organisation(signed_in_as.organisation).name
    except DomainError:
        organisation = signed_in_as.organisation
    ctx = context(request, "Help routed to you", rows=rows, organisation=organisation)
    return page("help_desk/routed.html", ctx)


@page_route("/help-desk/{reference:str}", "help_desk_case", "view_help_requests")
def case_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    signed_in_as: NamedDependency[Account],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
) -> Response:
    found = help_requests.case(reference, signed_in_as)  # NotFound: the not-found page
    return page("help_desk/case.html", case_context(request, steady, accounts, found, zone))


# -- the commands -------------------------------------------------------------------------------


class Desk:
    """One posted command on one request: who gives it (checked for `action`), the request as
    it stands (NotFound goes to the not-found page before anything is tried), and how to
    answer with a confirmation or the refusal beside its form."""

    def __init__(
        self,
        request: Request,
        steady: Steady,
        accounts: Accounts,
        help_requests: HelpRequests,
        zone: ZoneInfo,
        reference: str,
        action: str,
    ) -> None:
        self.request = request
        self.steady = steady
        self.accounts = accounts
        self.help_requests = help_requests
        self.zone = zone
        self.account = allow(request, action)
        self.case = help_requests.case(reference, self.account)
        self.reference = self.case.reference

    def done(self, message: str) -> Response:
        return back_with(self.request, f"/help-desk/{self.reference}", message)

    def refused(self, form: str, error: DomainError, entered: dict[str, str]) -> Response:
        message = sentence(str(error).strip())
        if not message.endswith((".", "!", "?")):
            message += "."
        found = self.help_requests.case(self.reference, self.account)  # as it is now
        ctx = case_context(
            self.request,
            self.steady,
            self.accounts,
            found,
            self.zone,
            error={"form": form, "message": message},
            entered=entered,
        )
        return page("help_desk/case.html", ctx, 403 if isinstance(error, Forbidden) else 422)


@post("/help-desk/{reference:str}/acknowledge", name="help_desk_acknowledge", **FORM_POST)
def acknowledge_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    try:
        help_requests.acknowledge(d.reference, d.account.acting_as())
    except DomainError as error:
        return d.refused("acknowledge", error, {})
    return d.done(f"{d.reference} acknowledged: the reporter sees it is being looked at.")


@post("/help-desk/{reference:str}/assign", name="help_desk_assign", **FORM_POST)
def assign_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    username = text(data, "username")
    try:
        help_requests.assign(d.reference, username, d.account.acting_as())
    except DomainError as error:
        return d.refused("assign", error, {"username": username})
    return d.done(f"{d.reference} is assigned to {username.strip().lower()}.")


@post("/help-desk/{reference:str}/write", name="help_desk_write", **FORM_POST)
def write_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    said = text(data, "text")
    asks = text(data, "asks_details") == "yes"
    try:
        help_requests.write_to_reporter(d.reference, said, d.account.acting_as(), asks_details=asks)
    except DomainError as error:
        return d.refused("write", error, {"text": said, "asks_details": "yes" if asks else ""})
    return d.done("Sent to the reporter: they read it with their case code and passphrase.")


@post("/help-desk/{reference:str}/route", name="help_desk_route", **FORM_POST)
def route_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    entered = {
        "organisation": text(data, "organisation"),
        "need": text(data, "need"),
        "share_contact": "yes" if text(data, "share_contact") == "yes" else "",
    }
    try:
        help_requests.route_to(
            d.reference,
            entered["organisation"],
            entered["need"],
            d.account.acting_as(),
            share_contact=bool(entered["share_contact"]),
        )
    except DomainError as error:
        return d.refused("route", error, entered)
    return d.done(f"Routed to {entered['organisation']}: they see only the need you wrote.")


@post("/help-desk/{reference:str}/convert", name="help_desk_convert", **FORM_POST)
def convert_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "convert_help_request")
    entered = {
        "title": text(data, "title"),
        "kind": text(data, "kind"),
        "school": text(data, "school"),
        "playbook_id": text(data, "playbook_id"),
    }
    try:
        incident = help_requests.convert_to_incident(
            d.reference,
            d.account.acting_as(),
            title=entered["title"],
            kind=entered["kind"],
            school=entered["school"],
            playbook_id=entered["playbook_id"],  # "": none, as the select's last option says
        )
    except DomainError as error:
        return d.refused("convert", error, entered)
    return d.done(f"{d.reference} is now incident {incident}.")


@post("/help-desk/{reference:str}/needs-case", name="help_desk_needs_case", **FORM_POST)
def needs_case_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "convert_help_request")
    school = text(data, "school")
    try:
        person = help_requests.open_needs_case(d.reference, d.account.acting_as(), school=school)
    except DomainError as error:
        return d.refused("needs-case", error, {"school": school})
    return d.done(f"Needs case {person} opened for the family of {d.reference}.")


@post("/help-desk/{reference:str}/spam", name="help_desk_spam", **FORM_POST)
def spam_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    reason = text(data, "reason")
    try:
        help_requests.mark_spam(d.reference, d.account.acting_as(), reason)
    except DomainError as error:
        return d.refused("spam", error, {"reason": reason})
    return d.done(f"{d.reference} is marked spam: close it when you are sure.")


@post("/help-desk/{reference:str}/close", name="help_desk_close", **FORM_POST)
def close_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    help_requests: NamedDependency[HelpRequests],
    zone: NamedDependency[ZoneInfo],
    reference: FromPath[str],
    data: Form,
) -> Response:
    d = Desk(request, steady, accounts, help_requests, zone, reference, "work_help_requests")
    outcome = text(data, "outcome")
    try:
        help_requests.close(d.reference, d.account.acting_as(), outcome)
    except DomainError as error:
        return d.refused("close", error, {"outcome": outcome})
    return d.done(f"{d.reference} is closed: {OUTCOME_LABELS.get(outcome, outcome).lower()}.")


HELP_DESK_PAGES = [
    queue_page,
    queue_fragment,
    closed_page,
    routed_page,
    case_page,
    acknowledge_form,
    assign_form,
    write_form,
    route_form,
    convert_form,
    needs_case_form,
    spam_form,
    close_form,
]
