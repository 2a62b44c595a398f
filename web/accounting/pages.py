"""Accounting pages. A teacher's, phone first: "My class" for an incident (their classes and their
own report of themselves) and each class's list, every student marked with one tap and sent as one
report, extra students found by name, where the class is. The commander's: live counts by school
and location, the classes that have not reported, missing students with where they were last
seen, staff not accounted for; its counts are fetched again every few seconds by a small script.

Plain HTML forms (CSRF token, a 303 back with a one-off confirmation), through the accounting
service as the JSON API is; a refusal draws the page again with the message at the top."""

from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath

from domain.accounting import STAFF_STATUSES, STATUSES
from domain.errors import DomainError
from service.access.permissions import Forbidden
from service.accounting.service import Accounting, GivenMark
from service.incidents.application import Steady
from web.access.auth import allow
from web.accounts.forms import Form, back_with, sentence, take_flash, text
from web.rendering import context, format_time, page, page_route

FORM_POST = {"sync_to_thread": True, "include_in_schema": False}
REFRESH_SECONDS = 5  # how often the commander's page fetches its counts again
BASE = "/incidents/{ref:str}/accounting"


def _message(error: DomainError) -> str:
    message = sentence(str(error).strip())
    return message if message.endswith((".", "!", "?")) else message + "."


def _status_code(error: DomainError) -> int:
    return 403 if isinstance(error, Forbidden) else 422


# -- a teacher's pages ------------------------------------------------------------------------


def mine_context(
    request: Request, accounting: Accounting, ref: str, *, error: str = ""
) -> dict[str, Any]:
    account = allow(request, "account_for_class", ref=ref)
    incident = accounting.incident(ref)
    classes = accounting.my_classes(ref, account)
    me = accounting.me(ref, account)
    return context(
        request,
        f"My class: {incident.reference}",
        incident=incident,
        classes=classes,
        me=me,
        staff_statuses=STAFF_STATUSES,
        flash=take_flash(request),
        error=error,
        may_view=accounting.may_view(account, incident),
    )


@page_route(BASE + "/mine", "accounting_mine", "account_for_class")
def mine_page(
    request: Request, accounting: NamedDependency[Accounting], ref: FromPath[str]
) -> Response:
    return page("accounting/mine.html", mine_context(request, accounting, ref))


def class_context(
    request: Request,
    steady: Steady,
    accounting: Accounting,
    zone: ZoneInfo,
    ref: str,
    class_id: str,
    *,
    error: str = "",
    search: str = "",
) -> dict[str, Any]:
    account = allow(request, "account_for_class", ref=ref)
    incident = accounting.incident(ref)
    sheet = accounting.sheet(ref, class_id, account)
    found = accounting.search(ref, class_id, account, search) if search.strip() else None
    now = steady.clock()
    return context(
        request,
        f"{sheet.title}: {incident.reference}",
        incident=incident,
        sheet=sheet,
        statuses=STATUSES,
        lines=[{"s": s, "when": format_time(s.marked_at, zone, now)} for s in sheet.students],
        reported=format_time(sheet.last_reported, zone, now),
        search=search,
        found=found,
        flash=take_flash(request),
        error=error,
    )


@page_route(BASE + "/classes/{class_id:str}", "accounting_class", "account_for_class")
def class_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounting: NamedDependency[Accounting],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    class_id: FromPath[str],
) -> Response:
    search = request.query_params.get("name", "")
    error = ""
    try:
        ctx = class_context(request, steady, accounting, zone, ref, class_id, search=search)
    except DomainError as refused:
        if isinstance(refused, Forbidden) or not search:
            raise
        error = _message(refused)
        ctx = class_context(request, steady, accounting, zone, ref, class_id, error=error)
    return page("accounting/class.html", ctx, 200 if not error else 422)


def marks_in(data: dict[str, Any]) -> list[GivenMark]:
    """The marks a class's form sends: `status:P-0007` for each student given a status, with
    `adult:P-0007` and `seen:P-0007` beside it."""
    marks = []
    for key in data:
        if not key.startswith("status:"):
            continue
        student = key.removeprefix("status:")
        status = text(data, key)
        if status:
            marks.append(
                GivenMark(
                    student, status, text(data, f"adult:{student}"), text(data, f"seen:{student}")
                )
            )
    return marks


@post(BASE + "/classes/{class_id:str}/report", name="accounting_report", **FORM_POST)
def report_form(
    request: Request,
    steady: NamedDependency[Steady],
    accounting: NamedDependency[Accounting],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    class_id: FromPath[str],
    data: Form,
) -> Response:
    account = allow(request, "account_for_class", ref=ref)
    location = text(data, "location")
    marks = marks_in(data)
    try:
        sheet = accounting.sheet(ref, class_id, account)
        if location.strip() == sheet.location:
            location = ""  # unchanged: not a move
        if text(data, "rest") == "accounted":
            # "Everyone else is here": the students not marked yet nor given a status now.
            given = {m.student for m in marks}
            marks += [
                GivenMark(s.person_ref, "accounted")
                for s in sheet.students
                if s.status == "unknown" and s.person_ref not in given
            ]
        sheet = accounting.report(
            ref,
            class_id,
            account,
            marks=marks,
            location=location or None,
            actor=account.acting_as(),
        )
    except DomainError as error:
        ctx = class_context(request, steady, accounting, zone, ref, class_id, error=_message(error))
        return page("accounting/class.html", ctx, _status_code(error))
    counts = sheet.counts
    said = f"Report sent for {sheet.title}: {counts.accounted} accounted for"
    if counts.missing:
        said += f", {counts.missing} missing"
    if counts.injured:
        said += f", {counts.injured} injured"
    if counts.unknown:
        said += f", {counts.unknown} not marked yet"
    return back_with(
        request, f"/incidents/{sheet.incident}/accounting/classes/{class_id}", said + "."
    )


@post(BASE + "/staff", name="accounting_staff", **FORM_POST)
def staff_form(
    request: Request, accounting: NamedDependency[Accounting], ref: FromPath[str], data: Form
) -> Response:
    account = allow(request, "account_for_class", ref=ref)
    try:
        line = accounting.report_self(
            ref,
            account,
            status=text(data, "status"),
            where=text(data, "where"),
            actor=account.acting_as(),
        )
    except DomainError as error:
        ctx = mine_context(request, accounting, ref, error=_message(error))
        return page("accounting/mine.html", ctx, _status_code(error))
    said = f"You are recorded as {STAFF_STATUSES[line.status].lower()}"
    return back_with(
        request,
        f"/incidents/{accounting.incident(ref).reference}/accounting/mine",
        said + (f" ({line.where})." if line.where else "."),
    )


# -- the commander's page ---------------------------------------------------------------------


def command_context(
    request: Request, steady: Steady, accounting: Accounting, zone: ZoneInfo, ref: str
) -> dict[str, Any]:
    account = allow(request, "view_accounting", ref=ref)
    picture = accounting.command_view(ref, account)
    now = steady.clock()
    return context(
        request,
        f"Accounting: {picture.incident}",
        incident=accounting.incident(ref),
        picture=picture,
        missing=[{"m": m, "when": format_time(m.marked_at, zone, now)} for m in picture.missing],
        done=format_time(picture.everyone_accounted_for_at, zone, now),
        rendered=now.astimezone(zone).strftime("%H:%M:%S"),
        refresh_seconds=REFRESH_SECONDS,
        may_report=bool(accounting.reach(account)),
    )


@page_route(BASE, "accounting_command", "view_accounting")
def command_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounting: NamedDependency[Accounting],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    return page("accounting/command.html", command_context(request, steady, accounting, zone, ref))


@page_route(BASE + "/counts", "accounting_counts", "view_accounting")
def counts_fragment(
    request: Request,
    steady: NamedDependency[Steady],
    accounting: NamedDependency[Accounting],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    """The counts alone, for the page's script to put in place of the ones it shows."""
    ctx = command_context(request, steady, accounting, zone, ref)
    return page("accounting/_counts.html", ctx)


ACCOUNTING_PAGES = [
    mine_page,
    class_page,
    report_form,
    staff_form,
    command_page,
    counts_fragment,
]
