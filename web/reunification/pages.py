"""Reunification's pages, phone-first, one per station: check-in (the greeter's: the adult's
name, the ID they showed, the students they came for, found by searching the roster), checker
(ID and custody against the roster's guardians), reunifier (fetch the student, ask whether they
are comfortable), and the overview with the live counts and the stopped cases a lead decides.

The overview and the stations refetch their live part (a fragment) every few seconds. Plain
HTML forms (CSRF token, a 303 back with a one-off confirmation); a refusal draws the station
again with the message at the top (422, or 403 for a permission)."""

from datetime import datetime
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from domain.errors import DomainError
from domain.reunification import (
    FETCHED,
    RELEASED,
    REUNIFICATION_KINDS,
    STOPPED,
    VERIFIED,
    WAITING_CHECK,
)
from service.access.permissions import Forbidden
from service.incidents.application import Steady
from service.reunification.access import may_decide, require_decide
from service.reunification.service import CaseView, Reunifications
from web.access.auth import abilities, allow
from web.accounts.forms import Form, back_with, every, sentence, take_flash, text
from web.rendering import context, format_time, page, page_route, who

FORM_POST = {"sync_to_thread": True, "include_in_schema": False}
REFRESH_SECONDS = 4  # how often a station refetches its live part
STATIONS = {
    "": "Overview",
    "check-in": "Check-in",
    "checker": "Checker",
    "reunifier": "Reunifier",
}
STEP_LABELS = {
    "checked_in": "Checked in",
    "verified": "ID and custody verified",
    "stopped": "Stopped: a lead must decide",
    "lead_released": "A lead released",
    "lead_refused": "A lead refused",
    "fetched": "Student fetched",
    "asked": "Student asked",
    "released": "Released",
}
STATUS_LABELS = {
    WAITING_CHECK: "Waiting for the checker",
    STOPPED: "Stopped: a lead must decide",
    VERIFIED: "Waiting for the reunifier",
    FETCHED: "Student here: ask them",
    RELEASED: "Released",
    "refused": "Refused by a lead",
}


def base(ref: str) -> str:
    return f"/incidents/{quote(ref)}/reunification"


def case_row(view: CaseView, zone: ZoneInfo, now: datetime) -> dict[str, Any]:
    case = view.case
    return {
        "v": view,
        "c": case,
        "status_label": STATUS_LABELS[case.status],
        "released": format_time(case.released_at, zone, now),
        "steps": [
            {
                "s": s,
                "label": STEP_LABELS.get(s.what, s.what),
                "when": format_time(s.at, zone, now),
            }
            for s in case.steps
        ],
    }


def live_context(
    request: Request,
    steady: Steady,
    reunifications: Reunifications,
    zone: ZoneInfo,
    ref: str,
    station: str,
    **values: Any,
) -> dict[str, Any]:
    """What every reunification page draws: the counts, the cases by where they stand."""
    incident = steady.incident(ref)
    found = reunifications.find(ref)
    now = steady.clock()
    account = who(request)
    rows = []
    if found is not None:
        rows = [case_row(v, zone, now) for v in reunifications.view(ref).cases]
    by_status: dict[str, list[dict[str, Any]]] = {s: [] for s in STATUS_LABELS}
    for row in rows:
        by_status[row["c"].status].append(row)
    title = f"{incident.reference}: reunification"
    if station:
        title = f"{incident.reference}: {STATIONS[station].lower()}"
    return context(
        request,
        title,
        incident=incident,
        reunification=found,
        counts=found.counts() if found is not None else None,
        rows=rows,
        by_status=by_status,
        station=station,
        stations=STATIONS,
        base=base(incident.reference),
        fragment=f"{base(incident.reference)}/live?station={station}",
        refresh_seconds=REFRESH_SECONDS,
        may_open=incident.kind in REUNIFICATION_KINDS and not incident.closed,
        may_run=abilities(account)["run_reunification"],
        may_decide=account is not None and may_decide(account),
        last=format_time(found.last_released_at if found else None, zone, now),
        rendered=now.astimezone(zone).strftime("%H:%M:%S"),
        flash=take_flash(request),
        error=values.pop("error", ""),
        **values,
    )


# -- the pages ----------------------------------------------------------------------------------


@page_route("/incidents/{ref:str}/reunification", "reunification", "view_reunification")
def overview_page(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    ctx = live_context(request, steady, reunifications, zone, ref, "")
    return page("reunification/overview.html", ctx)


@page_route("/incidents/{ref:str}/reunification/live", "reunification_live", "view_reunification")
def live_fragment(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    station: FromQuery[str] = "",
) -> Response:
    """A station's live part alone, for the page's script to put in place of the one shown."""
    chosen = station if station in STATIONS else ""
    ctx = live_context(request, steady, reunifications, zone, ref, chosen)
    return page("reunification/_live.html", ctx)


@page_route(
    "/incidents/{ref:str}/reunification/check-in", "reunification_check_in", "run_reunification"
)
def check_in_page(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    q: FromQuery[str] = "",
) -> Response:
    return check_in_drawn(request, steady, reunifications, zone, ref, q)


def check_in_drawn(
    request: Request,
    steady: Steady,
    reunifications: Reunifications,
    zone: ZoneInfo,
    ref: str,
    query: str,
    *,
    entered: dict[str, Any] | None = None,
    error: str = "",
    status: int = 200,
) -> Response:
    chosen = (entered or {}).get("students", [])
    students = reunifications.students(ref) if reunifications.find(ref) else {}
    found = reunifications.search(ref, query) if query.strip() and students else []
    # The students already chosen stay on the form while the greeter searches for a sibling.
    shown = [students[s] for s in chosen if s in students]
    shown += [s for s in found if s.person_ref not in chosen]
    ctx = live_context(
        request,
        steady,
        reunifications,
        zone,
        ref,
        "check-in",
        query=query,
        found=shown,
        searched=bool(query.strip()),
        chosen=set(chosen),
        entered=entered or {},
        error=error,
    )
    return page("reunification/check_in.html", ctx, status)


@page_route(
    "/incidents/{ref:str}/reunification/checker", "reunification_checker", "run_reunification"
)
def checker_page(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    ctx = live_context(request, steady, reunifications, zone, ref, "checker")
    return page("reunification/station.html", ctx)


@page_route(
    "/incidents/{ref:str}/reunification/reunifier", "reunification_reunifier", "run_reunification"
)
def reunifier_page(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
) -> Response:
    ctx = live_context(request, steady, reunifications, zone, ref, "reunifier")
    return page("reunification/station.html", ctx)


# -- the commands -------------------------------------------------------------------------------


def refused(
    request: Request,
    steady: Steady,
    reunifications: Reunifications,
    zone: ZoneInfo,
    ref: str,
    station: str,
    error: DomainError,
) -> Response:
    message = sentence(str(error).strip())
    if not message.endswith((".", "!", "?")):
        message += "."
    status = 403 if isinstance(error, Forbidden) else 422
    ctx = live_context(request, steady, reunifications, zone, ref, station, error=message)
    template = "reunification/overview.html" if not station else "reunification/station.html"
    return page(template, ctx, status)


@post("/incidents/{ref:str}/reunification/open", name="reunification_open", **FORM_POST)
def open_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    data: Form,
) -> Response:
    account = allow(request, "run_reunification", ref=ref)
    try:
        place = reunifications.open(ref, text(data, "place"), account.acting_as())
    except DomainError as error:
        return refused(request, steady, reunifications, zone, ref, "", error)
    return back_with(request, base(ref), f"Reunification is open at {place}.")


@post("/incidents/{ref:str}/reunification/check-ins", name="reunification_check", **FORM_POST)
def check_in_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    data: Form,
) -> Response:
    account = allow(request, "run_reunification", ref=ref)
    entered = {
        "name": text(data, "name"),
        "id_shown": text(data, "id_shown"),
        "students": every(data, "students"),
    }
    if text(data, "search"):  # the search button: find more students, keep what was entered
        query = text(data, "q")
        return check_in_drawn(request, steady, reunifications, zone, ref, query, entered=entered)
    try:
        cases = reunifications.check_in(
            ref, entered["name"], entered["id_shown"], entered["students"], account.acting_as()
        )
    except DomainError as error:
        message = sentence(str(error).strip())
        return check_in_drawn(
            request, steady, reunifications, zone, ref, "", entered=entered, error=message,
            status=422,
        )  # fmt: skip
    said = ", ".join(cases)
    return back_with(
        request,
        f"{base(ref)}/check-in",
        f"Checked in: case{'s' if len(cases) > 1 else ''} {said}. Send the adult to the checker.",
    )


def case_command(
    request: Request, ref: str, action: str
) -> tuple[str, Any]:  # (the page to go back to, the acting account)
    account = allow(request, action, ref=ref)
    return base(ref), account


@post(
    "/incidents/{ref:str}/reunification/cases/{number:str}/verify",
    name="reunification_verify",
    **FORM_POST,
)
def verify_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    number: FromPath[str],
    data: Form,
) -> Response:
    back, account = case_command(request, ref, "run_reunification")
    try:
        case = reunifications.verify(
            ref, number, id_matches=text(data, "id_matches") == "yes", actor=account.acting_as()
        )
        found = reunifications.get(ref).case(case.number)
    except DomainError as error:
        return refused(request, steady, reunifications, zone, ref, "checker", error)
    if found.status == STOPPED:
        said = f"Case {found.number} stopped: {found.stop_text}. A lead must decide; call one."
    else:
        said = f"Case {found.number} verified: send the card to a reunifier."
    return back_with(request, f"{back}/checker", said)


@post(
    "/incidents/{ref:str}/reunification/cases/{number:str}/fetch",
    name="reunification_fetch",
    **FORM_POST,
)
def fetch_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    number: FromPath[str],
) -> Response:
    back, account = case_command(request, ref, "run_reunification")
    try:
        case = reunifications.fetch(ref, number, account.acting_as())
    except DomainError as error:
        return refused(request, steady, reunifications, zone, ref, "reunifier", error)
    said = f"Case {case.number}: student fetched. Ask whether they are comfortable leaving."
    return back_with(request, f"{back}/reunifier", said)


@post(
    "/incidents/{ref:str}/reunification/cases/{number:str}/ask",
    name="reunification_ask",
    **FORM_POST,
)
def ask_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    number: FromPath[str],
    data: Form,
) -> Response:
    back, account = case_command(request, ref, "run_reunification")
    comfortable = text(data, "comfortable") == "yes"
    try:
        case = reunifications.ask(ref, number, comfortable=comfortable, actor=account.acting_as())
    except DomainError as error:
        return refused(request, steady, reunifications, zone, ref, "reunifier", error)
    if comfortable:
        said = f"Case {case.number}: released. The student may leave."
    else:
        said = f"Case {case.number} stopped: the student is not comfortable. Call a lead."
    return back_with(request, f"{back}/reunifier", said)


@post(
    "/incidents/{ref:str}/reunification/cases/{number:str}/decide",
    name="reunification_decide",
    **FORM_POST,
)
def decide_form(
    request: Request,
    steady: NamedDependency[Steady],
    reunifications: NamedDependency[Reunifications],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    number: FromPath[str],
    data: Form,
) -> Response:
    back, account = case_command(request, ref, "decide_reunification")
    release = text(data, "decision") == "release"
    try:
        require_decide(account)
        case = reunifications.decide(
            ref, number, release=release, reason=text(data, "reason"), actor=account.acting_as()
        )
    except DomainError as error:
        return refused(request, steady, reunifications, zone, ref, "", error)
    status = reunifications.get(ref).case(case.number).status
    if status == RELEASED:
        said = f"Case {case.number}: released by a lead's decision."
    elif release:
        said = f"Case {case.number}: cleared by a lead. Send the card to a reunifier."
    else:
        said = f"Case {case.number}: refused. The adult may not take the student."
    return back_with(request, back, said)


REUNIFICATION_PAGES = [
    overview_page,
    live_fragment,
    check_in_page,
    checker_page,
    reunifier_page,
    open_form,
    check_in_form,
    verify_form,
    fetch_form,
    ask_form,
    decide_form,
]
