"""The drill pages: the drill log (/drills, filtered by school and school year, and its CSV at
/drills.csv), a drill's printable after-action report (/incidents/{ref}/drill-report), and the
forms a crisis lead records the review with there (plain HTML: CSRF token, a 303 back with a
one-off confirmation; a refusal draws the report again with the message)."""

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from domain.account import Account
from domain.errors import DomainError, InvalidValue
from domain.kinds import KINDS
from domain.organisation import school_key
from service.access.permissions import Scope, scopes
from service.accounts.service import Accounts
from service.drills.log import school_year_of
from service.drills.service import Drills
from service.incidents.application import Steady
from web.access.auth import allow, viewer_of
from web.access.guards import requires
from web.accounts.forms import Form, back_with, take_flash, text
from web.errors import BadInput
from web.incidents.bodies import read_moment
from web.incidents.schools import district_schools
from web.rendering import context, page, page_route

FORM_POST = {"sync_to_thread": True, "include_in_schema": False}
SCHOOL = QueryParameter(name="school")
SCHOOL_YEAR = QueryParameter(name="school_year")


def _school_years(now: datetime, zone: ZoneInfo, back: int = 5) -> list[str]:
    """This school year and the ones before, newest first, for the filter."""
    this = school_year_of(now.astimezone(zone).date())
    first = int(this[:4])
    return [f"{y}-{(y + 1) % 100:02d}" for y in range(first, first - back, -1)]


@page_route("/drills", "drill_log", "view_drill_log")
def drill_log_page(
    request: Request,
    steady: NamedDependency[Steady],
    accounts: NamedDependency[Accounts],
    signed_in_as: NamedDependency[Account],
    drills: NamedDependency[Drills],
    zone: NamedDependency[ZoneInfo],
    school: Annotated[str | None, SCHOOL] = None,
    school_year: Annotated[str | None, SCHOOL_YEAR] = None,
) -> Response:
    chosen = {"school": (school or "").strip(), "school_year": (school_year or "").strip()}
    error = ""
    try:
        rows = drills.log(signed_in_as, viewer_of(request, signed_in_as), **chosen)
    except InvalidValue as refused:
        error, chosen["school_year"] = str(refused), ""
        rows = drills.log(signed_in_as, viewer_of(request, signed_in_as), **chosen)
    viewer = viewer_of(request, signed_in_as)
    schools = [
        s
        for s in district_schools(accounts)
        if can_all(signed_in_as) or school_key(s) in viewer.schools
    ]
    query = "&".join(f"{k}={v}" for k, v in chosen.items() if v)
    return page(
        "drills.html",
        context(
            request,
            "Drill log",
            rows=drills.log_as_dicts(rows),
            schools=schools,
            school_years=_school_years(steady.clock(), zone),
            chosen=chosen,
            filter_error=error,
            csv_href="/drills.csv" + (f"?{query}" if query else ""),
            json_href="/api/v1/drills" + (f"?{query}" if query else ""),
        ),
        status_code=422 if error else 200,
    )


def can_all(account: Account) -> bool:
    return Scope.ALL in scopes(account.roles, "view_drill_log")


@get(
    "/drills.csv",
    name="drill_log_csv",
    sync_to_thread=True,
    include_in_schema=False,
    guards=[requires("view_drill_log")],
)
def drill_log_csv(
    request: Request,
    signed_in_as: NamedDependency[Account],
    drills: NamedDependency[Drills],
    school: Annotated[str | None, SCHOOL] = None,
    school_year: Annotated[str | None, SCHOOL_YEAR] = None,
) -> Response[str]:
    rows = drills.log(
        signed_in_as,
        viewer_of(request, signed_in_as),
        school=school or "",
        school_year=school_year or "",
    )
    return Response(
        drills.log_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": 'attachment; filename="drill-log.csv"',
            "Cache-Control": "no-store",
        },
    )


def _report_page(
    request: Request, drills: Drills, account: Account, ref: str, error: str = ""
) -> Response:
    report = drills.report(account, viewer_of(request, account), ref)
    return page(
        "drill_report.html",
        context(
            request,
            f"DRILL {report['reference']}: drill report",
            r=report,
            kind_label=KINDS.get(report["type"], report["type"]),
            flash=take_flash(request),
            error=error,
        ),
        status_code=422 if error else 200,
    )


@page_route("/incidents/{ref:str}/drill-report", "drill_report", "view_drill_log")
def drill_report_page(
    request: Request,
    signed_in_as: NamedDependency[Account],
    drills: NamedDependency[Drills],
    ref: FromPath[str],
) -> Response:
    return _report_page(request, drills, signed_in_as, ref)


def _recorded(
    request: Request,
    drills: Drills,
    ref: str,
    record: Any,
    said: str,
) -> Response:
    """Runs a review command from a form: back to the report with `said`, or the report again
    with the refusal."""
    account = allow(request, "record_review", ref=ref)
    try:
        message = record(account) or said
    except (DomainError, BadInput) as refused:
        return _report_page(request, drills, account, ref, error=str(refused))
    return back_with(request, f"/incidents/{ref}/drill-report", message)


def _moment_said(zone: ZoneInfo, data: dict[str, Any]) -> datetime | None:
    typed = text(data, "moment").strip()
    return read_moment(typed, zone, "moment") if typed else None


@post("/incidents/{ref:str}/drill-report/everyone-accounted-for", **FORM_POST)
def everyone_accounted_for_form(
    request: Request,
    steady: NamedDependency[Steady],
    drills: NamedDependency[Drills],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    data: Form,
) -> Response:
    def record(account: Account) -> str:
        result = steady.record_everyone_accounted_for(
            ref, moment=_moment_said(zone, data), actor=account.acting_as()
        )
        if not result.detail["recorded"]:
            return "Everyone was already recorded as accounted for: the first time counts."
        return ""

    return _recorded(request, drills, ref, record, "Recorded: everyone accounted for.")


@post("/incidents/{ref:str}/drill-report/reunification-completed", **FORM_POST)
def reunification_completed_form(
    request: Request,
    steady: NamedDependency[Steady],
    drills: NamedDependency[Drills],
    zone: NamedDependency[ZoneInfo],
    ref: FromPath[str],
    data: Form,
) -> Response:
    def record(account: Account) -> str:
        result = steady.record_reunification_completed(
            ref, moment=_moment_said(zone, data), actor=account.acting_as()
        )
        if not result.detail["recorded"]:
            return "Reunification was already recorded as completed: the first time counts."
        return ""

    return _recorded(request, drills, ref, record, "Recorded: reunification completed.")


@post("/incidents/{ref:str}/drill-report/participants", **FORM_POST)
def participants_form(
    request: Request,
    steady: NamedDependency[Steady],
    drills: NamedDependency[Drills],
    ref: FromPath[str],
    data: Form,
) -> Response:
    typed = text(data, "count").strip()

    def record(account: Account) -> str:
        if not typed.isdigit():
            raise DomainError(
                f"participants must be a whole number of people, such as 432; got {typed!r}"
            )
        steady.record_drill_participants(
            ref, int(typed), note=text(data, "note"), actor=account.acting_as()
        )
        return f"Recorded: {int(typed)} participants."

    return _recorded(request, drills, ref, record, "")


@post("/incidents/{ref:str}/drill-report/changes-to-make", **FORM_POST)
def change_to_make_form(
    request: Request,
    steady: NamedDependency[Steady],
    drills: NamedDependency[Drills],
    ref: FromPath[str],
    data: Form,
) -> Response:
    def record(account: Account) -> str:
        steady.record_change_to_make(ref, text(data, "text"), actor=account.acting_as())
        return ""

    return _recorded(request, drills, ref, record, "Recorded what to change.")


DRILL_PAGES = [
    drill_log_page,
    drill_log_csv,
    drill_report_page,
    everyone_accounted_for_form,
    reunification_completed_form,
    participants_form,
    change_to_make_form,
]
